// The rules of the house (docs/architecture.md), checked on the sources as text: no import
// cycles, no source file over 700 lines, a thin composition root, and a ZAB core that does no
// I/O and reads no clock. Type-only imports count: they tangle the design as much as any other.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_SOURCE_LINES = 700;
const MAX_ROOT_LINES = 250;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "node_modules") out.push(...tsFiles(p));
    } else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

const packages = readdirSync(join(root, "packages"));
const sources = [
  ...packages.flatMap((p) => tsFiles(join(root, "packages", p, "src"))),
  ...tsFiles(join(root, "test", "support")),
];

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+["']([^"']+)["']/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1]!;
    if (spec.startsWith(".")) out.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
    else if (spec.startsWith("@paddock/")) {
      const [, pkg, ...rest] = spec.split("/");
      out.push(
        rest.length === 0
          ? join(root, "packages", pkg!, "src", "index.ts")
          : join(root, "packages", pkg!, "src", `${rest.join("/").replace(/\.js$/, "")}.ts`),
      );
    }
  }
  return out;
}

/** Every cycle's files, found by depth-first search over the import graph. */
function findCycles(files: string[]): string[][] {
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => known.has(t))]));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, "open");
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === "open") cycles.push(stack.slice(stack.indexOf(t)));
      else if (state.get(t) === undefined) visit(t);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of files) if (state.get(f) === undefined) visit(f);
  return cycles;
}

const rel = (f: string) => relative(root, f);

describe("architecture", () => {
  it("has no import cycles in the packages' sources and the test support", () => {
    const cycles = findCycles(sources).map((c) => [...c, c[0]!].map(rel).join(" -> "));
    expect(cycles).toEqual([]);
  });

  it(`has no source file over ${MAX_SOURCE_LINES} lines, and a composition root under ${MAX_ROOT_LINES}`, () => {
    const lines = (f: string) => readFileSync(f, "utf8").split("\n").length - 1;
    const tooLong = sources
      .filter((f) => f.includes("/src/") && lines(f) > MAX_SOURCE_LINES)
      .map((f) => `${rel(f)}: ${lines(f)} lines`);
    expect(tooLong).toEqual([]);
    expect(lines(join(root, "packages/server/src/server.ts"))).toBeLessThan(MAX_ROOT_LINES);
  });

  it("keeps the ZAB core pure: no imports from outside zab/, no I/O, no clock, no randomness", () => {
    const zabDir = join(root, "packages/server/src/zab");
    const offences: string[] = [];
    for (const f of tsFiles(zabDir)) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1]!;
        // protobufjs is the codec's wire format, not I/O: it only turns bytes into messages. The
        // codec loads it through lazy-module, so that a standalone server never does.
        const codecDependency = spec === "protobufjs" || spec === "../lazy-module.js";
        if (codecDependency && f.endsWith("codec.ts")) continue;
        if (!spec.startsWith("./")) offences.push(`${rel(f)} imports ${spec}`);
      }
      const code = text.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
      for (const banned of [
        "setTimeout",
        "setInterval",
        "setImmediate",
        "Date.now",
        "performance.now",
        "Math.random",
        "process.",
      ]) {
        if (code.includes(banned)) offences.push(`${rel(f)} uses ${banned}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
