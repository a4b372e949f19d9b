// A client over IPv6. ZooKeeper names a client by Java's InetAddress.getHostAddress: an IPv6
// address uncompressed (`0:0:0:0:0:0:0:1`), which is what whoAmI and the audit log show. Both
// servers listen on every address (clientPortAddress=::) and the same session runs over ::1.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ZooKeeperClient } from "@paddock/client";
import { afterAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import { makeTempDir, type ServerHandle } from "../support/process.js";
import { skipWithoutZookeeper, startZookeeper, zookeeperAuditLogTo } from "../support/zookeeper.js";

async function overIpv6(server: ServerHandle): Promise<string[]> {
  const c = new ZooKeeperClient({ connectString: `[::1]:${server.port}` });
  await c.connect();
  const seen = [(await c.whoAmI()).map((i) => `${i.authScheme}:${i.user}`).join(" ")];
  await c.addAuth("digest", "alice:secret");
  seen.push((await c.whoAmI()).map((i) => `${i.authScheme}:${i.user}`).join(" "));
  await c.create("/over-ipv6", "x");
  await c.close();
  return seen;
}

/** The audit lines' ip and user fields, whichever server wrote them. */
function auditFields(text: string): string[] {
  return [...text.matchAll(/user=([^\t]*)\tip=([^\t]*)\toperation=create/g)].map((m) => `${m[1]} ${m[2]}`);
}

describe("a client over IPv6", () => {
  const servers: ServerHandle[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("is named as ZooKeeper 3.8 names it, in whoAmI and the audit log", { timeout: 60_000 }, async () => {
    const dir = makeTempDir("paddock-ipv6");
    const cfg = ["clientPortAddress=::", "audit.enable=true"];
    const paddock = await startPaddock({
      extraCfg: [...cfg, `paddock.auditLogFile=${join(dir, "audit.log")}`],
    });
    servers.push(paddock);
    const seen = await overIpv6(paddock);
    expect(seen).toEqual([
      "ip:0:0:0:0:0:0:0:1",
      expect.stringMatching(/^(ip:0:0:0:0:0:0:0:1 digest:alice|digest:alice ip:0:0:0:0:0:0:0:1)$/),
    ]);
    expect(auditFields(readFileSync(join(dir, "audit.log"), "utf8"))).toEqual([
      expect.stringMatching(/ 0:0:0:0:0:0:0:1$/),
    ]);
    // Skipped only outside CI when ZooKeeper 3.8 is missing; with CI=true it throws instead.
    if (skipWithoutZookeeper()) return;
    const zookeeperLog = join(dir, "zookeeper.log");
    const zookeeper = await startZookeeper({
      extraCfg: cfg,
      systemProperties: zookeeperAuditLogTo(zookeeperLog),
    });
    servers.push(zookeeper);
    expect(await overIpv6(zookeeper)).toEqual(seen);
    await zookeeper.stop();
    expect(auditFields(readFileSync(zookeeperLog, "utf8"))).toEqual(
      auditFields(readFileSync(join(dir, "audit.log"), "utf8")),
    );
  });
});
