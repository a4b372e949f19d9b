#!/usr/bin/env node
// Bundles what the image runs into one folder (default dist/docker): the server, the CLI, the
// entrypoint, the health check and a small nc. Unlike scripts/build.mjs, third-party packages
// (pino, protobufjs, ...) are bundled in too, so the image needs no node_modules and no npm at
// run time. Used by build-image.sh on the host and by the Dockerfile's build stage from a clone.
import { chmodSync, copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(process.argv[2] ?? join(root, "dist", "docker"));

const entries = {
  "paddock-server": "packages/server/src/main.ts",
  "paddock-cli": "packages/cli/src/main.ts",
  "paddock-entrypoint": "deploy/bin/entrypoint.mjs",
  "paddock-healthcheck": "deploy/bin/healthcheck.mjs",
  nc: "deploy/bin/nc.mjs",
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minifySyntax: true,
  legalComments: "linked",
  banner: {
    // Bundled CommonJS dependencies call require(); ESM output has none of its own.
    js: "import { createRequire as __paddockCreateRequire } from 'node:module'; const require = __paddockCreateRequire(import.meta.url);",
  },
  // ws loads these native speed-ups only if they are installed; it works without them.
  external: ["bufferutil", "utf-8-validate"],
  logLevel: "warning",
});
for (const name of Object.keys(entries)) chmodSync(join(outdir, `${name}.mjs`), 0o755);
// The server loads the peer protocol (replicated mode) from next to its bundle.
copyFileSync(join(root, "proto", "peer.proto"), join(outdir, "peer.proto"));
console.error(`[bundle] ${Object.keys(entries).join(", ")} -> ${outdir}`);
