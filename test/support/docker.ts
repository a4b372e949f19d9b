// Whether the Docker-based suites can run here. Outside CI a missing engine (or docker-compose)
// skips them with the reason printed; under CI=true they run anyway, so a missing dependency
// fails them instead of being skipped.
import { spawnSync } from "node:child_process";

/** Why Docker cannot be used here, or undefined when it can. */
export function dockerUnavailable(opts: { compose: boolean }): string | undefined {
  const r = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], {
    encoding: "utf8",
    timeout: 20_000,
  });
  if (r.error) return `docker client not runnable: ${r.error.message}`;
  if (r.status !== 0) return `docker engine not answering: ${r.stderr.trim().split("\n").pop()}`;
  if (opts.compose) {
    const c = spawnSync("docker-compose", ["version", "--short"], { encoding: "utf8", timeout: 20_000 });
    if (c.error || c.status !== 0) return "docker-compose (v1) is not installed";
  }
  return undefined;
}

/**
 * `skip` is for `describe.skipIf(...)`: true only outside CI when Docker is unavailable (the
 * reason is printed). Under CI=true the suite runs and reports `unavailable` as its failure.
 */
export function dockerForSuite(
  suite: string,
  opts: { compose: boolean },
): { skip: boolean; unavailable: string | undefined } {
  const unavailable = dockerUnavailable(opts);
  const skip = unavailable !== undefined && process.env.CI !== "true";
  if (skip) console.warn(`[${suite}] skipped: ${unavailable} (run deploy/ensure-docker.sh)`);
  return { skip, unavailable };
}
