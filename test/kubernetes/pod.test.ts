// The StatefulSet's pod spec, run for real without a cluster: three containers of the image with
// what Kubernetes would give them (hostname paddock-<ordinal>, the headless service's DNS names,
// uid 1000, a read-only root with emptyDirs at /conf, /logs and /tmp, volumes at /data and
// /datalog, no capabilities) and the manifest's own command, environment and readiness probe.
// They must form an ensemble and turn ready; after the leader is killed the others must be
// ready again under a new leader.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { dockerForSuite } from "../support/docker.js";

const repoRoot = join(import.meta.dirname, "..", "..");
const image = process.env.PADDOCK_TEST_IMAGE ?? "paddock:latest";
const { skip, unavailable } = dockerForSuite("kubernetes pod spec", { compose: false });

// biome-ignore lint/suspicious/noExplicitAny: the manifest is free-form YAML (validated in manifests.test.ts).
const sts: any = parseAllDocuments(
  readFileSync(join(repoRoot, "deploy", "kubernetes", "paddock-3.yaml"), "utf8"),
)
  .map((d) => d.toJS())
  .find((d) => d.kind === "StatefulSet");
const container = sts.spec.template.spec.containers[0];
const probe: string[] = container.readinessProbe.exec.command;
const tag = `paddock-k8s-${process.pid}`;
const names = [0, 1, 2].map((i) => `${tag}-${i}`);

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", timeout: 60_000 }).trim();
}

function ready(name: string): boolean {
  return spawnSync("docker", ["exec", name, ...probe], { timeout: 15_000 }).status === 0;
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function adminCommand(name: string, command: string): Record<string, unknown> {
  const script = `fetch("http://127.0.0.1:8080/commands/${command}").then((r) => r.text()).then((t) => process.stdout.write(t))`;
  return JSON.parse(docker("exec", name, "node", "-e", script));
}

describe.skipIf(skip)("the StatefulSet's pod spec in Docker", () => {
  beforeAll(() => {
    if (unavailable !== undefined) throw new Error(`CI=true but Docker is unusable: ${unavailable}`);
    if (process.env.PADDOCK_TEST_IMAGE === undefined) {
      execFileSync(join(repoRoot, "deploy", "build-image.sh"), { stdio: "inherit", timeout: 280_000 });
    }
    docker("network", "create", tag);
    const env = container.env.flatMap((e: { name: string; value: string }) => ["-e", `${e.name}=${e.value}`]);
    const tmpfs = ["/conf", "/logs", "/tmp"].flatMap((p) => [
      "--tmpfs",
      `${p}:rw,uid=1000,gid=1000,mode=0755`,
    ]);
    names.forEach((name, ordinal) => {
      docker(
        "run",
        "-d",
        "--name",
        name,
        "--network",
        tag,
        "--hostname",
        `paddock-${ordinal}`,
        "--network-alias",
        `paddock-${ordinal}.paddock-hs`,
        "--user",
        `${sts.spec.template.spec.securityContext.runAsUser}:${sts.spec.template.spec.securityContext.runAsGroup}`,
        "--read-only",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        ...tmpfs,
        "-v",
        "/data",
        "-v",
        "/datalog",
        ...env,
        "--entrypoint",
        container.command[0],
        image,
        ...container.command.slice(1),
        ...container.args,
      );
    });
  }, 300_000);

  afterAll(() => {
    for (const name of names) spawnSync("docker", ["rm", "-f", "-v", name], { timeout: 60_000 });
    spawnSync("docker", ["network", "rm", tag], { timeout: 60_000 });
  });

  it("the three pods form an ensemble, take their ids from the ordinals and turn ready", async () => {
    await until("all three pods ready", () => names.every(ready), 90_000);
    const leaders = names.map((n) => adminCommand(n, "leader"));
    const leaderIds = new Set(leaders.map((l) => l.leader_id));
    expect(leaderIds.size).toBe(1);
    expect(leaders.filter((l) => l.is_leader === true)).toHaveLength(1);
    names.forEach((name, ordinal) => {
      expect(adminCommand(name, "configuration").server_id).toBe(ordinal + 1);
    });
    // Running as uid 1000 on a read-only root, with Prometheus on 7000.
    const status = docker(
      "exec",
      names[0]!,
      "node",
      "-e",
      "process.stdout.write(require('fs').readFileSync('/proc/1/status','utf8'))",
    );
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe("1000");
    const metrics = docker(
      "exec",
      names[0]!,
      "node",
      "-e",
      'fetch("http://127.0.0.1:7000/metrics").then((r) => r.text()).then((t) => process.stdout.write(t))',
    );
    expect(metrics).toMatch(/^# TYPE quorum_size gauge$/m);
  }, 120_000);

  it("kill the leader's container: the other two are ready again under a new leader", async () => {
    const leaderIndex = names.findIndex((n) => adminCommand(n, "leader").is_leader === true);
    const oldLeaderId = leaderIndex + 1;
    docker("kill", names[leaderIndex]!);
    const survivors = names.filter((_, i) => i !== leaderIndex);
    await until(
      "a new leader",
      () =>
        survivors.every(ready) &&
        survivors.every((n) => {
          const id = adminCommand(n, "leader").leader_id;
          return id !== oldLeaderId && id !== -1;
        }),
      60_000,
    );
  }, 90_000);
});
