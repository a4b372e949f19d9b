// paddock-server takes the -D settings that zkServer.sh hands ZooKeeper's java, from
// $SERVER_JVMFLAGS then $JVMFLAGS, under zoo.cfg's own keys: a server moved from zkServer.sh keeps
// what its environment (zkEnv.sh, conf/java.env, a systemd unit) set.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, Perms } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import { create, createTTL, getData } from "../differential/ops.js";
import { PADDOCK_SERVER_PATH, paddockBuilt } from "../support/paddock.js";
import {
  fourLetterWord,
  freePort,
  makeTempDir,
  startProcess,
  stopProcess,
  waitForImok,
} from "../support/process.js";
import { RawClient } from "../support/raw-client.js";

describe.skipIf(!paddockBuilt() && process.env.CI !== "true")(
  "-D settings from SERVER_JVMFLAGS and JVMFLAGS",
  () => {
    it("apply in zkServer.sh's order, JVMFLAGS last, and zoo.cfg's own key wins over them", async () => {
      const dir = makeTempDir("jvm-flags");
      const port = await freePort();
      const cfg = join(dir, "zoo.cfg");
      writeFileSync(
        cfg,
        [
          `dataDir=${join(dir, "data")}`,
          `clientPort=${port}`,
          "clientPortAddress=127.0.0.1",
          "tickTime=2000",
          "admin.enableServer=false",
          "skipACL=no",
          "",
        ].join("\n"),
      );
      const proc = startProcess(process.execPath, [PADDOCK_SERVER_PATH, "start-foreground", cfg], {
        ...process.env,
        PADDOCK_LOG_PRETTY: "",
        SERVER_JVMFLAGS:
          "-Xmx512m -Dzookeeper.extendedTypesEnabled=false -Dzookeeper.skipACL=yes -Dzookeeper.4lw.commands.whitelist=ruok",
        JVMFLAGS: "-Dzookeeper.extendedTypesEnabled=true -XX:+UseG1GC",
      });
      try {
        expect(await waitForImok(proc, "127.0.0.1", port, 15_000), proc.output()).toBe(true);
        // The whitelist came from SERVER_JVMFLAGS: ruok answered, stat is not in it.
        expect(await fourLetterWord("127.0.0.1", port, "stat")).toContain("not in the whitelist");
        const c = await RawClient.open("127.0.0.1", port);
        // JVMFLAGS comes after SERVER_JVMFLAGS on java's command line: TTL nodes are on.
        expect((await c.call(createTTL("/ttl", 60_000))).err).toBe(ErrorCode.OK);
        // zoo.cfg's skipACL=no wins over the flag's yes: an ACL without this session is enforced.
        const onlyBob = [
          { perms: Perms.ALL, id: { scheme: "digest", id: "bob:fyVmFCwVbTJYrznoSu1koqYEYF0=" } },
        ];
        expect((await c.call(create("/locked", "x", 0, onlyBob))).err).toBe(ErrorCode.OK);
        expect((await c.call(getData("/locked"))).err).toBe(ErrorCode.NoAuth);
        const log = proc.output();
        expect(log).toContain("skipACL: overrides -Dzookeeper.skipACL=yes from SERVER_JVMFLAGS");
        expect(log).toContain("-Xmx512m (SERVER_JVMFLAGS)");
        expect(log).toContain("-XX:+UseG1GC (JVMFLAGS)");
        c.destroy();
      } finally {
        await stopProcess(proc);
      }
    });
  },
);
