// The compose files users start ensembles with (deploy/docker-compose.{3,5}.yml), through
// docker-compose v1 as shipped by Debian. The 3-server file is brought up for real.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerForSuite } from "../support/docker.js";
import { fourLetterWord, freePort } from "../support/process.js";

const repoRoot = join(import.meta.dirname, "..", "..");
const composeFile = (n: number) => join(repoRoot, "deploy", `docker-compose.${n}.yml`);

const { skip, unavailable } = dockerForSuite("compose tests", { compose: true });

function compose(n: number, project: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync("docker-compose", ["-p", project, "-f", composeFile(n), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

interface ComposeConfig {
  services: Record<
    string,
    {
      image: string;
      build: unknown;
      hostname: string;
      environment: Record<string, string | number>;
      restart: string;
      healthcheck: { test: string[] };
      ports: unknown[];
      volumes: string[];
    }
  >;
  volumes: Record<string, unknown>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe.skipIf(skip)("compose files", () => {
  beforeAll(() => {
    if (unavailable !== undefined) throw new Error(`CI=true but Docker is unusable: ${unavailable}`);
    // CI builds the image before the tests (.ci/run); a bare machine gets it built here.
    if (spawnSync("docker", ["image", "inspect", "paddock:latest"], { stdio: "ignore" }).status !== 0) {
      execFileSync(join(repoRoot, "deploy", "build-image.sh"), { stdio: "inherit", timeout: 280_000 });
    }
  }, 300_000);

  it.each([3, 5])("docker-compose.%i.yml declares the ensemble the official image's way", (n) => {
    const text = compose(n, `paddockcfg${n}`, ["config"], { PADDOCK_ZOO2_PORT: "30002" });
    // PyYAML comes with docker-compose v1; it turns the resolved file into JSON for checking.
    const config = JSON.parse(
      execFileSync(
        "python3",
        ["-c", "import sys, yaml, json; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
        {
          input: text,
          encoding: "utf8",
        },
      ),
    ) as ComposeConfig;
    const servers = Array.from({ length: n }, (_, i) => `server.${i + 1}=zoo${i + 1}:2888:3888;2181`).join(
      " ",
    );
    expect(Object.keys(config.services).sort()).toEqual(Array.from({ length: n }, (_, i) => `zoo${i + 1}`));
    for (let i = 1; i <= n; i++) {
      const service = config.services[`zoo${i}`]!;
      expect(service.image).toBe("paddock:latest");
      expect(service.build).toEqual({ context: repoRoot, dockerfile: "deploy/Dockerfile" });
      expect(service.hostname).toBe(`zoo${i}`);
      expect(service.environment.ZOO_MY_ID).toBe(i);
      expect(service.environment.ZOO_SERVERS).toBe(servers);
      expect(service.environment.ZOO_4LW_COMMANDS_WHITELIST).toContain("srvr");
      expect(service.restart).toBe("unless-stopped");
      expect(service.healthcheck.test[0]).toBe("CMD-SHELL");
      expect(service.ports).toEqual([{ published: i === 2 ? 30002 : 2180 + i, target: 2181 }]);
      expect(service.volumes).toEqual([`zoo${i}-data:/data:rw`, `zoo${i}-datalog:/datalog:rw`]);
      expect(config.volumes).toHaveProperty(`zoo${i}-data`);
    }
  });

  describe("3-server ensemble", () => {
    const project = `paddockit${process.pid}`;
    const ports: number[] = [];
    let up = false;

    afterAll(() => {
      if (up) compose(3, project, ["down", "-v", "--timeout", "5"]);
    });

    it("comes up healthy with one leader and replicates writes", async () => {
      for (let i = 0; i < 3; i++) ports.push(await freePort());
      const env = Object.fromEntries(ports.map((p, i) => [`PADDOCK_ZOO${i + 1}_PORT`, String(p)]));
      up = true;
      compose(3, project, ["up", "-d", "--no-build"], env);

      const ids = compose(3, project, ["ps", "-q"]).trim().split("\n");
      expect(ids).toHaveLength(3);
      const deadline = Date.now() + 90_000;
      for (;;) {
        const health = ids.map((id) =>
          execFileSync("docker", ["inspect", "-f", "{{.State.Health.Status}}", id], {
            encoding: "utf8",
          }).trim(),
        );
        if (health.every((h) => h === "healthy")) break;
        if (Date.now() > deadline) {
          const logs = compose(3, project, ["logs", "--no-color", "--tail=20"]);
          throw new Error(`not healthy after 90 s: ${health.join(", ")}\n${logs}`);
        }
        await sleep(1000);
      }

      const modes = await Promise.all(
        ports.map(async (p) => /^Mode: (\w+)$/m.exec(await fourLetterWord("127.0.0.1", p, "srvr"))?.[1]),
      );
      expect(modes.sort()).toEqual(["follower", "follower", "leader"]);

      const connectString = ports.map((p) => `127.0.0.1:${p}`).join(",");
      const writer = zookeeper.createClient(`127.0.0.1:${ports[0]}`, { sessionTimeout: 10_000 });
      const reader = zookeeper.createClient(`127.0.0.1:${ports[2]}`, { sessionTimeout: 10_000 });
      try {
        await Promise.all(
          [writer, reader].map(
            (c) =>
              new Promise<void>((resolve) => {
                c.once("connected", () => resolve());
                c.connect();
              }),
          ),
        );
        await new Promise<void>((resolve, reject) =>
          writer.create("/compose", Buffer.from(connectString), (err) => (err ? reject(err) : resolve())),
        );
        // Another server may apply the commit a moment later than the one that acknowledged it.
        const read = () =>
          new Promise<Buffer | undefined>((resolve, reject) =>
            reader.getData("/compose", (err, d) =>
              err
                ? err instanceof zookeeper.Exception && err.getCode() === zookeeper.Exception.NO_NODE
                  ? resolve(undefined)
                  : reject(err)
                : resolve(d),
            ),
          );
        let data = await read();
        for (let i = 0; data === undefined && i < 50; i++) {
          await sleep(100);
          data = await read();
        }
        expect(data?.toString()).toBe(connectString);
      } finally {
        writer.close();
        reader.close();
      }
    }, 150_000);
  });
});
