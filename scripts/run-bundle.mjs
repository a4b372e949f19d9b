// What the workspace packages' `bin` entries run (so `npx paddock-server`, `npx paddock-cli`,
// `npm exec paddock-bench` work from a clone): the esbuild bundle in dist/, built first when it
// is missing or older than the sources, then loaded in this process with the caller's arguments.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function newestSourceMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtimeMs(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(bundle) {
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  const packages = join(root, "packages");
  return readdirSync(packages).some((p) => {
    const src = join(packages, p, "src");
    return existsSync(src) && newestSourceMtimeMs(src) > built;
  });
}

/** Runs dist/<name>.mjs as if it had been started directly. */
export async function runBundle(name) {
  const bundle = join(root, "dist", `${name}.mjs`);
  const canBuild = existsSync(join(root, "node_modules", "esbuild"));
  if (canBuild && isStale(bundle)) {
    process.stderr.write(`[paddock] building dist/ (sources changed or not built yet) ...\n`);
    const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], {
      cwd: root,
      stdio: ["ignore", 2, 2],
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  if (!existsSync(bundle)) {
    process.stderr.write(`${bundle} is missing: run \`npm install\` and \`npm run build\` in ${root}\n`);
    process.exit(1);
  }
  // npm exec does not pass a supervisor's SIGTERM on to the program it started: when npx goes
  // away, the program takes that as its own SIGTERM (a server then shuts down cleanly).
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, "SIGTERM");
  }, 500);
  watch.unref();
  process.argv[1] = bundle;
  await import(pathToFileURL(bundle).href);
}
