// Runs Apache Curator next to our recipes: the Java programs in test/interop/java compiled with
// javac against Debian's Curator 5.x jars and ZooKeeper 3.8's client jars. CuratorPeer takes
// commands on stdin and reports events on stdout, one line each; CuratorRecipes runs Curator's
// own recipes against a connect string and reports each one; CuratorLockCounter increments a
// counter under Curator's lock while a test kills servers.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LineProcess, startLineProcess } from "../support/line-process.js";

/** Curator, or our own peer for the benchmark, driven line by line. */
export type CuratorPeer = LineProcess;

const JAVA_DIR = "/usr/share/java";
const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), "java");
const sources = () =>
  readdirSync(SOURCE_DIR)
    .filter((f) => f.endsWith(".java"))
    .sort()
    .map((f) => join(SOURCE_DIR, f));

/** Curator (Debian: libcurator-{client,framework,recipes,discovery}-java) and what it needs. */
export const CURATOR_JARS = [
  "curator-client.jar",
  "curator-framework.jar",
  "curator-recipes.jar",
  "curator-x-discovery.jar",
  "zookeeper.jar",
  "zookeeper-jute.jar",
  "guava.jar",
  "jackson-databind.jar",
  "jackson-core.jar",
  "jackson-annotations.jar",
  "slf4j-api.jar",
  "slf4j-simple.jar",
];

const classpathJars = () => CURATOR_JARS.map((j) => join(JAVA_DIR, j)).join(":");

/** Why Curator cannot run here, or undefined when it can. */
export function curatorMissing(): string | undefined {
  const missing = CURATOR_JARS.filter((j) => !existsSync(join(JAVA_DIR, j)));
  if (missing.length > 0)
    return `missing ${missing.join(", ")} in ${JAVA_DIR} (apt-get install libcurator-recipes-java libcurator-discovery-java)`;
  try {
    execFileSync("javac", ["-version"], { stdio: "ignore" });
  } catch {
    return "no javac on PATH";
  }
  return undefined;
}

/** For describe.skipIf: in CI a missing Curator fails instead of skipping. */
export function skipWithoutCurator(): boolean {
  const missing = curatorMissing();
  if (missing === undefined) return false;
  if (process.env.CI === "true") throw new Error(`Curator is required in CI: ${missing}`);
  console.warn(`skipping Curator interop: ${missing}`);
  return true;
}

let compiled: string | undefined;

/** Compiles the Java programs once per version of their sources (cached in the temp directory). */
export function compileCuratorPeer(): string {
  if (compiled !== undefined) return compiled;
  const files = sources();
  const hash = createHash("sha256");
  for (const f of files) hash.update(f).update(readFileSync(f));
  const dir = join(
    tmpdir(),
    `paddock-curator-peer-${hash.update(classpathJars()).digest("hex").slice(0, 16)}`,
  );
  if (!existsSync(join(dir, "CuratorPeer.class"))) {
    // Compile beside the final place and rename, so parallel workers never see half a directory.
    const staging = `${dir}.${process.pid}`;
    mkdirSync(staging, { recursive: true });
    execFileSync("javac", ["-nowarn", "-d", staging, "-cp", classpathJars(), ...files], { stdio: "pipe" });
    try {
      renameSync(staging, dir);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  compiled = dir;
  return dir;
}

/**
 * Starts `java CuratorPeer <args>` (or another of the programs, `mainClass`). Tests use a
 * quick-starting JVM (C1 only, serial GC); the benchmark (`benchmark: true`) gives Curator the
 * JVM's full JIT and a larger heap.
 */
export function startCuratorPeer(
  args: string[],
  opts: { benchmark?: boolean; mainClass?: string } = {},
): CuratorPeer {
  const dir = compileCuratorPeer();
  const jvm =
    opts.benchmark === true ? ["-Xmx512m"] : ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m"];
  return startLineProcess("java", [
    ...jvm,
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
    "-cp",
    `${dir}:${classpathJars()}`,
    opts.mainClass ?? "CuratorPeer",
    ...args,
  ]);
}
