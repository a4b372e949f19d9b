export * from "./checker/index.js";
export { Nemesis, type NemesisOptions } from "./nemesis.js";
export { type ChaosReport, type FaultWindow, formatReport, unavailabilityWindows } from "./report.js";
export { seededRandom } from "./rng.js";
export { type ChaosOptions, runChaos } from "./runner.js";
export { ContainerTarget, defaultComposeFile, dockerUnavailable } from "./targets/containers.js";
export { defaultServerPath, ProcessTarget } from "./targets/processes.js";
export { FAULTS, type FaultName, Target } from "./targets/target.js";
export { REGISTER_INITIAL, ROOT, Workload, type WorkloadOptions } from "./workload.js";
