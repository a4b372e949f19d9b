// zkCli's -client-configuration file: Java properties a ZooKeeper client reads (ZKClientConfig).
// paddock-cli honours what decides how it connects: zookeeper.client.secure (TLS) and the
// zookeeper.ssl.* stores and hostname check; the socket class and the like have no meaning here.

import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { keyStoreOptions, trustStoreOptions } from "@paddock/server/key-stores";

/** key=value (or key:value) lines; # and ! start comments, as in java.util.Properties. */
export function readProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const at = line.search(/[=:]/);
    if (at < 0) out.set(line, "");
    else out.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return out;
}

/** The TLS options the file asks for, or undefined when it does not ask for TLS. */
export function clientTlsFromConfiguration(file: string): ConnectionOptions | undefined {
  const props = readProperties(readFileSync(file, "utf8"));
  const get = (key: string) => props.get(`zookeeper.${key}`) ?? props.get(key);
  if (get("client.secure")?.toLowerCase() !== "true") return undefined;
  const keyStore = get("ssl.keyStore.location");
  return {
    ...(keyStore === undefined
      ? {}
      : keyStoreOptions(
          {
            location: keyStore,
            password: get("ssl.keyStore.password"),
            passwordPath: get("ssl.keyStore.passwordPath"),
            type: get("ssl.keyStore.type"),
          },
          "zookeeper.ssl.keyStore",
        )),
    ...trustStoreOptions(
      {
        location: get("ssl.trustStore.location"),
        password: get("ssl.trustStore.password"),
        passwordPath: get("ssl.trustStore.passwordPath"),
        type: get("ssl.trustStore.type"),
      },
      "zookeeper.ssl.trustStore",
    ),
    // As ZooKeeper's client: the server's certificate must name the host unless this is off.
    ...(get("ssl.hostnameVerification")?.toLowerCase() === "false"
      ? { checkServerIdentity: () => undefined }
      : {}),
  };
}
