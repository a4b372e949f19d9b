// zoo.cfg keys of administration: the four-letter words, the HTTP admin server, metrics, the
// audit log.

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

/** ZooKeeper's one audit logger, which writes through its logging (Paddock's: audit/audit-log.ts). */
export const SLF4J_AUDIT_LOGGER = "org.apache.zookeeper.audit.Slf4jAuditLogger";
const auditLoggerClass = checkedText(
  (value) => value === SLF4J_AUDIT_LOGGER,
  (value) => `audit logger class was not found: ${value} (Paddock provides ${SLF4J_AUDIT_LOGGER})`,
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
  // ZooKeeper's audit log (docs/admin.md, "Audit log").
  auditEnabled: {
    key: "audit.enable",
    origin: "system property",
    type: bool,
    default: false,
    usedBy: "audit/ (the applier and the server's start and stop)",
  },
  auditImplClass: {
    key: "audit.impl.class",
    origin: "system property",
    type: auditLoggerClass,
    default: SLF4J_AUDIT_LOGGER,
    usedBy: "audit/audit-log.ts",
  },
  // ZooKeeper's file is its logging's business (logback.xml's RFAAUDIT); Paddock has one key.
  auditLogFile: {
    key: "paddock.auditLogFile",
    origin: "paddock",
    type: text,
    default: "",
    usedBy: "audit/audit-log.ts; empty: the server's log",
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
