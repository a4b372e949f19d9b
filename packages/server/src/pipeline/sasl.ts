// SASL packets (opcode 102, GetSASLRequest -> SetSASLResponse) and enforced authentication, as
// ZooKeeper 3.8's ZooKeeperServer.processSasl and AuthenticationHelper do them. A completed
// DIGEST-MD5 exchange gives the connection the id `sasl:<user>` (and `super` for
// zookeeper.superUser or zookeeper.superUser.<any>). Replies leave at once, outside the request
// order, as ZooKeeper sends them.
// A failed exchange gets AuthFailed (SessionClosedRequireSaslAuth when SASL is required) and the
// connection closes, unless allowSaslFailedClients keeps it (then it simply has no sasl id).

import { randomBytes } from "node:crypto";
import { ErrorCode, JuteDecodeError, type JuteReader, JuteWriter, writeReplyHeader } from "@paddock/jute";
import type { ServerConfig } from "../config/index.js";
import { jaasUsers, loadJaasFile } from "../config/jaas.js";
import type { Logger } from "../logger.js";
import type { ClientConnection } from "../net/client-connection.js";
import { sessionIdHex } from "../session/session-id.js";
import { DigestMd5Server, SaslError } from "./digest-md5.js";

export interface SaslOptions {
  /** The JAAS server section's users; undefined when there is no such section (no SASL here). */
  users: ReadonlyMap<string, string> | undefined;
  /** zookeeper.superUser and each zookeeper.superUser.<any>. */
  superUsers: ReadonlySet<string>;
  allowSaslFailedClients: boolean;
  /** Schemes of which a connection needs one before any request; undefined: none. */
  enforcedSchemes: ReadonlySet<string> | undefined;
  log: Logger;
}

export class SaslAuthenticator {
  private readonly exchanges = new WeakMap<ClientConnection, DigestMd5Server>();
  private readonly saslRequired: boolean;

  constructor(private readonly opts: SaslOptions) {
    this.saslRequired = opts.enforcedSchemes?.has("sasl") ?? false;
  }

  /** One SASL packet of `conn`. */
  handle(conn: ClientConnection, xid: number, body: JuteReader): void {
    let token: Buffer | null;
    try {
      token = body.readBuffer();
    } catch (err) {
      if (!(err instanceof JuteDecodeError)) throw err;
      this.fail(conn, xid, `undecodable SASL packet: ${err.message}`);
      return;
    }
    const users = this.opts.users;
    if (users === undefined) {
      this.fail(conn, xid, "SASL is not configured on this server (no JAAS server section)");
      return;
    }
    if (token === null) {
      this.fail(conn, xid, "SASL packet without a token");
      return;
    }
    let exchange = this.exchanges.get(conn);
    if (exchange === undefined) {
      exchange = new DigestMd5Server(users, randomBytes(30).toString("base64"));
      this.exchanges.set(conn, exchange);
    }
    let reply: Buffer;
    try {
      const step = exchange.evaluate(token);
      reply = step.token;
      if (step.done) this.authenticated(conn, step.user);
    } catch (err) {
      if (!(err instanceof SaslError)) throw err;
      this.fail(conn, xid, err.message);
      return;
    }
    conn.sendImmediate(saslReply(xid, ErrorCode.OK, reply));
  }

  /**
   * Whether `conn` may send a request other than auth and SASL. If not, it gets
   * SessionClosedRequireSaslAuth and its connection closes (its session lives on until it expires,
   * as in ZooKeeper).
   */
  admit(conn: ClientConnection, xid: number): boolean {
    const enforced = this.opts.enforcedSchemes;
    if (enforced === undefined) return true;
    if (conn.identities.some((id) => enforced.has(id.scheme))) return true;
    const schemes = [...new Set(conn.identities.map((id) => id.scheme))];
    this.opts.log.warn(
      { conn: conn.connectionId, schemes, expected: [...enforced] },
      "client authentication schemes do not match any expected scheme, closing the connection",
    );
    conn.sendImmediate(header(xid, ErrorCode.SessionClosedRequireSaslAuth));
    conn.close("authentication required (enforce.auth)");
    return false;
  }

  private authenticated(conn: ClientConnection, user: string): void {
    const session = sessionIdHex(conn.sessionId);
    this.opts.log.info({ session, user }, "adding SASL authorization");
    conn.addIdentity({ scheme: "sasl", id: user });
    if (user !== "" && this.opts.superUsers.has(user) && !conn.identities.some((i) => i.scheme === "super")) {
      conn.addIdentity({ scheme: "super", id: "" });
      this.opts.log.info({ session, user }, "authenticated as super user");
    }
  }

  private fail(conn: ClientConnection, xid: number, reason: string): void {
    this.opts.log.warn(
      { conn: conn.connectionId, remote: conn.remoteAddress, reason },
      "SASL authentication failed",
    );
    if (this.opts.allowSaslFailedClients && !this.saslRequired) {
      // ZooKeeper keeps the connection and answers as if the step had succeeded, with no token.
      conn.sendImmediate(saslReply(xid, ErrorCode.OK, null));
      return;
    }
    const err = this.saslRequired ? ErrorCode.SessionClosedRequireSaslAuth : ErrorCode.AuthFailed;
    conn.sendImmediate(saslReply(xid, err, null));
    conn.close(`SASL authentication failed: ${reason}`);
  }
}

/** A reply header and SetSASLResponse, also on errors (ZooKeeper sends the null token then). */
function saslReply(xid: number, err: number, token: Buffer | null): Buffer {
  const w = new JuteWriter(64 + (token?.length ?? 0));
  const at = w.startFrame();
  writeReplyHeader(w, { xid, zxid: 0, err });
  w.writeBuffer(token);
  w.finishFrame(at);
  return w.toBuffer();
}

function header(xid: number, err: number): Buffer {
  const w = new JuteWriter(32);
  const at = w.startFrame();
  writeReplyHeader(w, { xid, zxid: 0, err });
  w.finishFrame(at);
  return w.toBuffer();
}

/**
 * The authenticator a configuration makes: the users of the JAAS file's server section (named by
 * java.security.auth.login.config, in zoo.cfg or as -D in SERVER_JVMFLAGS / JVMFLAGS). A JAAS file
 * that cannot be read or parsed stops the start; one without the section leaves SASL off, as in
 * ZooKeeper (with a warning when the sasl provider is configured).
 */
export function saslFromConfig(config: ServerConfig, log: Logger): SaslAuthenticator {
  const path = config.jaasLoginConfig;
  let users: ReadonlyMap<string, string> | undefined;
  if (path !== undefined) {
    const jaas = loadJaasFile(path, "java.security.auth.login.config");
    if (jaas.has(config.saslServerLoginContext)) users = jaasUsers(jaas, config.saslServerLoginContext);
  }
  if (users === undefined && config.authSchemes.has("sasl")) {
    log.warn(
      { jaas: path ?? null, section: config.saslServerLoginContext },
      "the sasl provider is configured but no JAAS server section names its users: every SASL login fails",
    );
  }
  return new SaslAuthenticator({
    users,
    superUsers: config.saslSuperUsers,
    allowSaslFailedClients: config.allowSaslFailedClients,
    enforcedSchemes: config.enforcedAuthSchemes,
    log,
  });
}
