// zoo.cfg keys of administration: the four-letter words, the HTTP admin server, metrics.

import type { KeyTable } from "./known-key.js";
import {
  DEFAULT_METRICS_PROVIDER,
  NULL_METRICS_PROVIDER,
  PROMETHEUS_METRICS_PROVIDER,
} from "./server-config.js";
import { bool, checkedText, int, nonEmpty, port, text } from "./value-types.js";

const urlPath = checkedText(
  (value) => value.startsWith("/"),
  (value) => `expected a URL path starting with "/", got "${value}"`,
);

const METRICS_PROVIDERS = [DEFAULT_METRICS_PROVIDER, PROMETHEUS_METRICS_PROVIDER, NULL_METRICS_PROVIDER];
const metricsProviderClass = checkedText(
  (value) => METRICS_PROVIDERS.includes(value),
  (value) =>
    `metrics provider class was not found: ${value} (Paddock provides ${METRICS_PROVIDERS.join(", ")})`,
);

export const ADMIN_KEYS = {
  whitelistText: {
    key: "4lw.commands.whitelist",
    origin: "system property",
    type: text,
    default: undefined,
    usedBy: "admin/four-letter-source.ts",
  },
  // The HTTP AdminServer (admin/http/).
  adminEnableServer: {
    key: "admin.enableServer",
    origin: "system property",
    type: bool,
    default: true,
    usedBy: "admin/http/ (the AdminServer)",
  },
  adminServerAddress: {
    key: "admin.serverAddress",
    origin: "system property",
    type: nonEmpty,
    default: "0.0.0.0",
    usedBy: "admin/http/",
  },
  adminServerPort: {
    key: "admin.serverPort",
    origin: "system property",
    type: port,
    default: 8080,
    usedBy: "admin/http/",
  },
  adminCommandUrl: {
    key: "admin.commandURL",
    origin: "system property",
    type: urlPath,
    default: "/commands",
    usedBy: "admin/http/",
  },
  adminIdleTimeoutMs: {
    key: "admin.idleTimeout",
    origin: "system property",
    type: int(0),
    default: 30000,
    usedBy: "admin/http/",
  },
  // HTTPS with the ssl.quorum.* key store, as ZooKeeper's JettyAdminServer does.
  adminForceHttps: {
    key: "admin.forceHttps",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: "admin/http/admin-tls.ts",
  },
  adminPortUnification: {
    key: "admin.portUnification",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: "admin/http/admin-tls.ts",
  },
  adminNeedClientAuth: {
    key: "admin.needClientAuth",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: "admin/http/admin-tls.ts",
  },
  // Paddock's own: the web console on the AdminServer, and where it finds the other members'.
  adminEnableConsole: {
    key: "admin.enableConsole",
    origin: "zoo.cfg",
    type: bool,
    default: false,
    usedBy: "admin/console/console-routes.ts",
  },
  adminConsolePeers: {
    key: "admin.consolePeers",
    origin: "zoo.cfg",
    type: text,
    default: "",
    usedBy: "admin/console/console-routes.ts",
  },
  // The other metricsProvider.* keys are read with the class name (zoo-cfg.ts).
  metricsClassName: {
    key: "metricsProvider.className",
    origin: "zoo.cfg",
    type: metricsProviderClass,
    default: DEFAULT_METRICS_PROVIDER,
    usedBy: "admin/prometheus/",
  },
} satisfies KeyTable;
