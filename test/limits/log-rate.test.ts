// A client sending malformed requests in a loop gets MarshallingError for each, as ZooKeeper
// answers, but cannot make the server write a log line per request: the warnings of one
// connection are rate-limited, and the first line after a quiet spell says how many were dropped.
import { ErrorCode, OpCode } from "@paddock/jute";
import { afterAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";
import { RawClient } from "../support/raw-client.js";

const MALFORMED = 2000;
let server: ServerHandle | undefined;
afterAll(async () => {
  await server?.stop();
});

describe("log rate limit", () => {
  it("2000 undecodable requests on one connection: 2000 MarshallingErrors, a handful of log lines", async () => {
    server = await startPaddock();
    const c = await RawClient.open(server.host, server.port);
    let last = 0;
    // A getData body that ends inside its path string: the frame is intact, the body is not.
    for (let i = 0; i < MALFORMED; i++) last = c.sendOpcode(OpCode.getData, Buffer.from([0, 0, 0, 9, 0x2f]));
    const reply = await c.waitReply(last);
    expect(reply.err).toBe(ErrorCode.MarshallingError);
    const replies = c.transcript.filter((e) => e.kind === "reply" && e.err === ErrorCode.MarshallingError);
    expect(replies).toHaveLength(MALFORMED);
    c.destroy();
    const lines = server
      .output()
      .split("\n")
      .filter((l) => l.includes("undecodable request body"));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);
  });
});
