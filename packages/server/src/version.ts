// The release, printed by `paddock-server --version` and `version`; a test keeps it equal to
// packages/server/package.json.
export const PADDOCK_RELEASE = "0.1.0";
/** The ZooKeeper release whose client protocol, zoo.cfg and 4lw answers Paddock follows. */
export const ZOOKEEPER_COMPATIBLE_RELEASE = "3.8";

export function versionLine(): string {
  return `Paddock ${PADDOCK_RELEASE} (Apache ZooKeeper ${ZOOKEEPER_COMPATIBLE_RELEASE} compatible), node ${process.version}`;
}
