// The whitelist can only enable words the server knows; the list lives with the words themselves.
export { FOUR_LETTER_WORDS } from "../admin/four-letter-words.js";
export type { DockerEnv, DockerFlavour, DockerZooCfg, JvmSettings } from "./docker-env.js";
export {
  BITNAMI_ENV_DEFAULTS,
  DOCKER_ENV_DEFAULTS,
  DockerEnvError,
  dockerFlavour,
  jvmSettingsFromEnv,
  jvmSizeMb,
  zooCfgFromEnv,
} from "./docker-env.js";
export type { DynamicConfig } from "./dynamic-config.js";
export {
  dynamicConfigText,
  dynamicConfigVersion,
  formatServerLine,
  parseConfigData,
  parseDynamicConfig,
} from "./dynamic-config.js";
export type { ConfigLocation } from "./errors.js";
export { ConfigError, formatLocation } from "./errors.js";
export type { ServerJvmFlags, SystemProperty } from "./jvm-flags.js";
export { heapNodeFlags, serverJvmFlags } from "./jvm-flags.js";
export type { PropertyEntry } from "./properties.js";
export { javaTrim, parseProperties } from "./properties.js";
export type { ResolveInput } from "./resolve.js";
export { loadServerConfig, parseMyid, resolveServerConfig } from "./resolve.js";
export type {
  AdminServerConfig,
  CommonConfig,
  MetricsProviderConfig,
  ParsedConfig,
  ServerConfig,
} from "./server-config.js";
export {
  DEFAULT_METRICS_PROVIDER,
  NULL_METRICS_PROVIDER,
  PROMETHEUS_METRICS_PROVIDER,
} from "./server-config.js";
export type { QuorumServer, ServerRole } from "./server-line.js";
export { formatQuorumServer, parseServerId, parseServerLine, splitHostAndPorts } from "./server-line.js";
export { parseZooCfg } from "./zoo-cfg.js";
