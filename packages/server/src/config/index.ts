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
export type { ConfigLocation } from "./errors.js";
export { ConfigError, formatLocation } from "./errors.js";
export type { PropertyEntry } from "./properties.js";
export { javaTrim, parseProperties } from "./properties.js";
export type { QuorumServer, ServerRole } from "./server-line.js";
export { formatQuorumServer, parseServerId, parseServerLine, splitHostAndPorts } from "./server-line.js";
export type {
  AdminServerConfig,
  CommonConfig,
  DynamicConfig,
  MetricsProviderConfig,
  ParsedConfig,
  ResolveInput,
  ServerConfig,
} from "./zoo-cfg.js";
export {
  DEFAULT_METRICS_PROVIDER,
  dynamicConfigVersion,
  FOUR_LETTER_WORDS,
  loadServerConfig,
  NULL_METRICS_PROVIDER,
  PROMETHEUS_METRICS_PROVIDER,
  parseDynamicConfig,
  parseMyid,
  parseZooCfg,
  resolveServerConfig,
} from "./zoo-cfg.js";
