// maxClientCnxns: connections beyond the limit from one address are closed at once, with
// ZooKeeper's log line; closing one frees its slot.
import { afterAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";
import { fourLetterWord } from "../support/process.js";
import { RawClient } from "../support/raw-client.js";

let server: ServerHandle | undefined;
afterAll(async () => {
  await server?.stop();
});

describe("maxClientCnxns", () => {
  it("closes the connection past the limit and accepts again once one closes", async () => {
    server = await startPaddock({ extraCfg: ["maxClientCnxns=2"] });
    const a = await RawClient.open(server.host, server.port);
    const b = await RawClient.open(server.host, server.port);
    const third = await RawClient.open(server.host, server.port);
    await third.waitClosed();
    expect(third.session).toBeUndefined();
    // The log is written asynchronously: give the line a moment to reach the output.
    for (let i = 0; i < 20 && !server.output().includes("Too many connections"); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(server.output()).toContain("Too many connections from /127.0.0.1 - max is 2");
    a.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await RawClient.open(server.host, server.port);
    expect(again.session?.timeOutMs).toBeGreaterThan(0);
    again.destroy();
    b.destroy();
    await new Promise((r) => setTimeout(r, 200));
    // ZooKeeper counts the refusal in connection_rejected.
    const mntr = await fourLetterWord(server.host, server.port, "mntr");
    expect(mntr).toMatch(/^zk_connection_rejected\t1$/m);
  });
});
