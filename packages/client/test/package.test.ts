// The package as users get it: `npm pack` of @paddock/client (packages/client/scripts/pack.mjs),
// installed offline from the tarball into a scratch project; the README's start runs there
// against a real server, and every README example type-checks against the shipped declarations.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../../../test/support/paddock.js";
import type { ServerHandle } from "../../../test/support/process.js";

const clientDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = join(clientDir, "..", "..");
const readme = readFileSync(join(clientDir, "README.md"), "utf8");

/** The README's fenced code blocks of one language. */
function blocks(lang: string): string[] {
  const fence = "```";
  return [...readme.matchAll(new RegExp(`${fence}${lang}\\n([\\s\\S]*?)${fence}`, "g"))].map((m) => m[1]!);
}

describe("the @paddock/client package", { timeout: 120_000 }, () => {
  let work: string;
  let tarball: string;
  let server: ServerHandle;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "paddock-client-pack-"));
    server = await startPaddock();
    tarball = execFileSync(
      process.execPath,
      [join(clientDir, "scripts", "pack.mjs"), "--out", join(work, "out")],
      {
        encoding: "utf8",
      },
    )
      .trim()
      .split("\n")
      .at(-1)!;
    const scratch = join(work, "scratch");
    execFileSync("mkdir", ["-p", scratch]);
    writeFileSync(
      join(scratch, "package.json"),
      JSON.stringify({ name: "scratch", private: true, type: "module" }),
    );
    // No registry: the tarball has no dependencies to fetch.
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], {
      cwd: scratch,
      stdio: "pipe",
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("holds the client and its types only: no dependencies, no server code", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    for (const f of files)
      expect(f).toMatch(/^package\/(index\.js|index\.js\.map|package\.json|README\.md|types\/.+\.d\.ts)$/);
    expect(files).toContain("package/types/client/index.d.ts");
    const manifest = JSON.parse(
      execFileSync("tar", ["xzfO", tarball, "package/package.json"], { encoding: "utf8" }),
    );
    expect(manifest.name).toBe("@paddock/client");
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.exports["."]).toEqual({ types: "./types/client/index.d.ts", import: "./index.js" });
    const map = JSON.parse(
      execFileSync("tar", ["xzfO", tarball, "package/index.js.map"], { encoding: "utf8" }),
    );
    const packagesUsed = new Set((map.sources as string[]).map((s) => /packages\/([^/]+)\//.exec(s)?.[1]));
    expect([...packagesUsed].sort()).toEqual(["client", "jute"]);
  });

  it("runs the README's five-line start from the installed tarball", () => {
    const start = blocks("js")[0]!;
    expect(start.trim().split("\n")).toHaveLength(5);
    const scratch = join(work, "scratch");
    writeFileSync(join(scratch, "start.mjs"), start.replace("127.0.0.1:2181", server.connectString));
    const out = execFileSync(process.execPath, ["start.mjs"], {
      cwd: scratch,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(out).toMatch(/^holding the lock, fencing token \d+\n$/);
  });

  it("type-checks every README example against the shipped declarations", () => {
    const scratch = join(work, "scratch");
    // What the installed package exports, as Node loads it.
    const exported = new Set(
      execFileSync(
        process.execPath,
        ["--input-type=module", "-e", 'console.log(Object.keys(await import("@paddock/client")).join(" "))'],
        { cwd: scratch, encoding: "utf8" },
      )
        .trim()
        .split(" "),
    );
    expect(exported.has("InterProcessMutex")).toBe(true);
    const examples = blocks("ts");
    expect(examples.length).toBeGreaterThanOrEqual(13);
    const used = new Set(examples.flatMap((b) => [...b.matchAll(/\b[A-Z]\w*\b/g)].map((m) => m[0])));
    const imports = [...used].filter((n) => exported.has(n) && n !== "AbortSignal");
    const source = [
      `import { ${[...imports, "ZooKeeperClient", "stringSerializer", "jsonSerializer"].filter((v, i, a) => a.indexOf(v) === i).join(", ")} } from "@paddock/client";`,
      "declare const client: ZooKeeperClient;",
      "declare const storage: { write(record: unknown, opts: { fencingToken: number; signal: AbortSignal }): Promise<void> };",
      "declare const record: unknown;",
      "declare function runScheduler(token: number, signal: AbortSignal): void;",
      "declare function stopScheduler(): void;",
      "declare function compactOnce(token: number, signal: AbortSignal): Promise<void>;",
      "declare function resize(n: number): void;",
      ...examples.map((b, i) => `export async function example${i}(): Promise<void> {\n${b}}`),
    ].join("\n");
    writeFileSync(join(scratch, "examples.ts"), source);
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          types: ["node"],
          typeRoots: [join(repoRoot, "node_modules", "@types")],
        },
        files: ["examples.ts"],
      }),
    );
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", scratch], { cwd: scratch, encoding: "utf8" });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe("");
  });
});
