// `paddock-server status [zoo.cfg]`: what zkServer.sh status prints. The client port and address
// come from the configuration (zoo.cfg's clientPort, else this server's `server.N=...;port`
// line), then `srvr` is asked for its Mode line.

import { fourLetterWord } from "@paddock/client";
import { ConfigError, loadServerConfig } from "../config/index.js";
import type { CliIo } from "./io.js";

export async function status(cfgPath: string, io: CliIo, timeoutMs = 5000): Promise<number> {
  io.err(`Using config: ${cfgPath}\n`);
  let config: ReturnType<typeof loadServerConfig>;
  try {
    config = loadServerConfig(cfgPath);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`Invalid config, exiting abnormally: ${err.message}\n`);
    return 1;
  }
  const port = config.clientPort;
  if (port === undefined) {
    io.out("Unable to find either secure or unsecure client port in any configs. Terminating.\n");
    return 1;
  }
  const configured = config.clientPortAddress;
  const address =
    configured === undefined || configured === "0.0.0.0" || configured === "::" ? "localhost" : configured;
  io.out(`Client port found: ${port}. Client address: ${address}. Client SSL: false.\n`);
  let reply = "";
  try {
    reply = await fourLetterWord(address === "localhost" ? "127.0.0.1" : address, port, "srvr", timeoutMs);
  } catch {
    // Reported below, as zkServer.sh does.
  }
  const mode = /^Mode: .*$/m.exec(reply)?.[0];
  if (mode === undefined) {
    io.out("Error contacting service. It is probably not running.\n");
    return 1;
  }
  io.out(`${mode}\n`);
  return 0;
}
