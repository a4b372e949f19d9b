// A test keeps this equal to packages/cli/package.json's version.
export const CLI_RELEASE = "0.1.0";

/** What `version` prints; zkCli 3.8 prints "ZooKeeper CLI version: <full version>". */
export const CLI_VERSION_LINE = `ZooKeeper CLI version: paddock-cli ${CLI_RELEASE} (zkCli 3.8 compatible)`;
