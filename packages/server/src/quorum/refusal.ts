// ZAB refuses an input (a forward, a sync, a revalidation) when this server stopped serving
// between the client's request and our step: the client must go to a server that serves. Any
// other error, a broken invariant above all, is not a refusal and must stop the server.

import type { ClientConnection } from "../net/client-connection.js";
import { ZabError } from "../zab/types.js";

/** Closes `conn` if `err` is ZAB's refusal to serve; rethrows anything else. */
export function closeIfRefused(err: unknown, conn: ClientConnection): void {
  if (!(err instanceof ZabError) || err.code === "INVARIANT") throw err;
  conn.close(`not serving: ${err.message}`);
}
