// Launches a Paddock server process built by `npm run build` (dist/paddock-server.mjs).
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchServer, type ServerHandle, startProcess, writeZooCfg } from "./process.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PADDOCK_SERVER_PATH = join(repoRoot, "dist", "paddock-server.mjs");

export function paddockBuilt(): boolean {
  return existsSync(PADDOCK_SERVER_PATH);
}

export async function startPaddock(
  opts: { extraCfg?: string[]; readyTimeoutMs?: number } = {},
): Promise<ServerHandle> {
  if (!paddockBuilt()) throw new Error(`${PADDOCK_SERVER_PATH} is missing: run npm run build`);
  return launchServer(
    "paddock",
    (port, dir, dataDir) => {
      mkdirSync(dataDir, { recursive: true });
      const cfg = writeZooCfg(dir, dataDir, port, opts.extraCfg ?? []);
      return startProcess(process.execPath, [PADDOCK_SERVER_PATH, cfg], {
        ...process.env,
        PADDOCK_LOG_PRETTY: "",
      });
    },
    opts.readyTimeoutMs ?? 15_000,
  );
}
