#!/usr/bin/env node
// Builds the installable @paddock/client package and packs it with `npm pack`:
//   dist/package/index.js          the client as one ES module, @paddock/jute bundled in
//   dist/package/types/**.d.ts     declarations of the client and of the jute types it uses
//   dist/package/package.json      exports map ("types" + "import"), no dependencies
// The workspace's own package.json keeps pointing at src/ for the rest of the repository.
// Usage: node packages/client/scripts/pack.mjs [--out DIR]   (prints the tarball's path)
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import ts from "typescript";

const clientDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const packagesDir = join(clientDir, "..");
const outArg = process.argv.indexOf("--out");
const outDir = outArg > 0 ? process.argv[outArg + 1] : join(clientDir, "dist");
const pkgDir = join(outDir, "package");
rmSync(pkgDir, { recursive: true, force: true });
mkdirSync(pkgDir, { recursive: true });

// 1. The code: one ES module for Node 20+, workspace packages inlined, Node's modules external.
await build({
  entryPoints: [join(clientDir, "src", "index.ts")],
  outfile: join(pkgDir, "index.js"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  sourcesContent: false,
  logLevel: "warning",
});

// 2. The declarations: emitted by tsc for client and jute, then the client's imports of
// "@paddock/jute" pointed at the jute declarations shipped beside them.
const typesTmp = join(outDir, "types-tmp");
rmSync(typesTmp, { recursive: true, force: true });
const program = ts.createProgram([join(clientDir, "src", "index.ts")], {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts"],
  types: ["node"],
  typeRoots: [join(packagesDir, "..", "node_modules", "@types")],
  strict: true,
  declaration: true,
  emitDeclarationOnly: true,
  skipLibCheck: true,
  esModuleInterop: true,
  rootDir: packagesDir,
  outDir: typesTmp,
  // Resolved as a source file of this build (through node_modules it would count as a library
  // and get no declarations).
  paths: { "@paddock/jute": [join(packagesDir, "jute", "src", "index.ts")] },
});
const emitted = program.emit();
const problems = ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics);
if (problems.length > 0) {
  const host = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => "\n",
  };
  throw new Error(ts.formatDiagnostics(problems, host));
}
const typesDir = join(pkgDir, "types");
cpSync(join(typesTmp, "client", "src"), join(typesDir, "client"), { recursive: true });
cpSync(join(typesTmp, "jute", "src"), join(typesDir, "jute"), { recursive: true });
rmSync(typesTmp, { recursive: true, force: true });
for (const file of walk(join(typesDir, "client"))) {
  const text = readFileSync(file, "utf8");
  const toJute = relative(dirname(file), join(typesDir, "jute", "index.js"));
  const spec = toJute.startsWith(".") ? toJute : `./${toJute}`;
  writeFileSync(file, text.replaceAll('"@paddock/jute"', JSON.stringify(spec)));
}

// 3. The manifest and the docs.
const source = JSON.parse(readFileSync(join(clientDir, "package.json"), "utf8"));
const manifest = {
  name: source.name,
  version: source.version,
  description: source.description,
  keywords: source.keywords,
  type: "module",
  engines: { node: ">=20" },
  sideEffects: false,
  exports: {
    ".": { types: "./types/client/index.d.ts", import: "./index.js" },
    "./package.json": "./package.json",
  },
  types: "./types/client/index.d.ts",
  files: ["index.js", "index.js.map", "types", "README.md"],
};
writeFileSync(join(pkgDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
cpSync(join(clientDir, "README.md"), join(pkgDir, "README.md"));

const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", outDir], {
  cwd: pkgDir,
  encoding: "utf8",
})
  .trim()
  .split("\n")
  .at(-1);
console.log(join(outDir, tarball));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
