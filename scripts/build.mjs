#!/usr/bin/env node
// Bundles each command-line entry point into dist/ with esbuild. Workspace packages are bundled
// in; third-party dependencies stay external and load from node_modules.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const external = new Set();
for (const dir of readdirSync(join(root, "packages"))) {
  const pkg = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (!dep.startsWith("@paddock/")) external.add(dep);
  }
}

const entries = {
  "paddock-server": "packages/server/src/main.ts",
  "paddock-cli": "packages/cli/src/main.ts",
  "paddock-bench": "packages/bench/src/main.ts",
  "paddock-chaos": "packages/chaos/src/main.ts",
};

await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  external: [...external],
  banner: {
    // Bundled CommonJS dependencies may call require(); give ESM output one.
    js: "import { createRequire as __paddockCreateRequire } from 'node:module'; const require = __paddockCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
