// The Kubernetes manifests (deploy/kubernetes): every object validates against the Kubernetes
// API schemas (kubernetes-models, generated from the upstream OpenAPI definitions), the ensemble
// is wired as deploy/README.md says, and the two pieces of shell and JavaScript the pods run (the
// ordinal -> server id line, the readiness probe) are run here for real.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StatefulSet } from "kubernetes-models/apps/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Service } from "kubernetes-models/v1";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Ensemble } from "../support/ensemble.js";
import { startPaddock } from "../support/paddock.js";
import { freePort, type ServerHandle } from "../support/process.js";

const DIR = join(import.meta.dirname, "..", "..", "deploy", "kubernetes");

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML until validated.
type Doc = any;

function load(size: number): Doc[] {
  return parseAllDocuments(readFileSync(join(DIR, `paddock-${size}.yaml`), "utf8")).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS();
  });
}

const MODELS: Record<string, new (data: Doc) => { validate(): void }> = {
  "v1/Service": Service,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "apps/v1/StatefulSet": StatefulSet,
};

function validate(doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (Model === undefined) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
}

function byKind(docs: Doc[], kind: string, name?: string): Doc {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

describe.each([3, 5])("deploy/kubernetes/paddock-%i.yaml", (size) => {
  const docs = load(size);
  const sts = byKind(docs, "StatefulSet");
  const pod = sts.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries(container.env.map((e: Doc) => [e.name, e.value]));

  it("every object validates against the Kubernetes API schemas", () => {
    expect(docs.map((d) => d.kind).sort()).toEqual([
      "PodDisruptionBudget",
      "Service",
      "Service",
      "StatefulSet",
    ]);
    for (const doc of docs) validate(doc);
  });

  it("the validator is not a rubber stamp: a wrong type and a malformed probe are refused", () => {
    const bad = structuredClone(sts);
    bad.spec.replicas = String(size);
    expect(() => validate(bad)).toThrow(/replicas must be integer/);
    const badProbe = structuredClone(sts);
    badProbe.spec.template.spec.containers[0].readinessProbe.exec.command = "node";
    expect(() => validate(badProbe)).toThrow(/command must be array/);
  });

  it(`${size} servers with stable ids, peers by the headless service's DNS names`, () => {
    expect(sts.spec.replicas).toBe(size);
    expect(sts.spec.podManagementPolicy).toBe("Parallel");
    const headless = byKind(docs, "Service", "paddock-hs");
    expect(sts.spec.serviceName).toBe("paddock-hs");
    expect(headless.spec.clusterIP).toBe("None");
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    const servers = String(env.ZOO_SERVERS).split(" ");
    expect(servers).toEqual(
      Array.from({ length: size }, (_, i) => `server.${i + 1}=paddock-${i}.paddock-hs:2888:3888;2181`),
    );
    // The selectors find the pods.
    const labels = sts.spec.template.metadata.labels;
    for (const svc of docs.filter((d) => d.kind === "Service"))
      expect(labels).toMatchObject(svc.spec.selector);
    expect(labels).toMatchObject(byKind(docs, "PodDisruptionBudget").spec.selector.matchLabels);
    expect(labels).toMatchObject(sts.spec.selector.matchLabels);
  });

  it("the pod ordinal becomes the server id (paddock-0 is server 1)", () => {
    const line = String(container.args[0]).replace(/&& exec .*$/, '&& echo "$ZOO_MY_ID"');
    expect(container.command).toEqual(["sh", "-c"]);
    for (let ordinal = 0; ordinal < size; ordinal++) {
      const out = execFileSync("sh", ["-c", line], { env: { HOSTNAME: `paddock-${ordinal}` } })
        .toString()
        .trim();
      expect(out).toBe(String(ordinal + 1));
    }
  });

  it("a disruption budget that keeps the quorum, persistent dataDir and dataLogDir, non-root", () => {
    const pdb = byKind(docs, "PodDisruptionBudget");
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(size - pdb.spec.maxUnavailable).toBeGreaterThan(size / 2);
    expect(sts.spec.volumeClaimTemplates.map((v: Doc) => v.metadata.name).sort()).toEqual([
      "data",
      "datalog",
    ]);
    const mounts = Object.fromEntries(container.volumeMounts.map((m: Doc) => [m.name, m.mountPath]));
    expect(mounts).toMatchObject({ data: "/data", datalog: "/datalog" });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    // A read-only root: everything the entrypoint and server write is a volume.
    expect(Object.values(mounts).sort()).toEqual(["/conf", "/data", "/datalog", "/logs", "/tmp"]);
  });

  it("readiness asks the AdminServer's /commands/ruok; metrics are scraped on 7000", () => {
    expect(container.readinessProbe.exec.command.join(" ")).toContain("http://127.0.0.1:8080/commands/ruok");
    expect(env.ZOO_ADMINSERVER_ENABLED).toBe("true");
    expect(String(env.ZOO_CFG_EXTRA)).toContain("metricsProvider.httpPort=7000");
    expect(sts.spec.template.metadata.annotations["prometheus.io/port"]).toBe("7000");
  });
});

describe("the readiness probe's script, against real servers", () => {
  const probe = (load(3).find((d) => d.kind === "StatefulSet") as Doc).spec.template.spec.containers[0]
    .readinessProbe.exec.command as string[];
  const run = (adminPort: number): number => {
    const script = probe[2]!.replace("127.0.0.1:8080", `127.0.0.1:${adminPort}`);
    try {
      execFileSync(probe[0]!, [probe[1]!, script], { timeout: 10_000 });
      return 0;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };
  let server: ServerHandle | undefined;
  let ensemble: Ensemble | undefined;
  afterAll(async () => {
    await server?.stop();
    await ensemble?.destroy();
  });

  it("ready (0) on a serving server, not ready (1) on a member without a quorum or with no AdminServer", async () => {
    const adminPort = await freePort();
    server = await startPaddock({
      extraCfg: ["admin.enableServer=true", "admin.serverAddress=127.0.0.1", `admin.serverPort=${adminPort}`],
    });
    expect(run(adminPort)).toBe(0);
    await server.stop();
    server = undefined;
    expect(run(adminPort)).toBe(1);

    ensemble = await Ensemble.create({ size: 3, adminServer: true });
    ensemble.start(1);
    const lone = ensemble.node(1).adminPort!;
    for (let i = 0; i < 50; i++) {
      const up = await fetch(`http://127.0.0.1:${lone}/commands/ruok`).then(
        () => true,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(run(lone)).toBe(1);
  }, 60_000);
});
