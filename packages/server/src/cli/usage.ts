// The text of `paddock-server --help`.

export const USAGE = `usage: paddock-server [start-foreground] <zoo.cfg>
                     run a server in the foreground until SIGTERM or SIGINT (Ctrl-C)
       paddock-server status [zoo.cfg]
                     ask the configured server for its mode, like zkServer.sh status (exit 1 if none answers)
       paddock-server version | --version
       paddock-server purge <dataDir> [dataLogDir] [-n count]
                     keep the newest count (>= 3) snapshots and the log they need, delete the rest
                     (like zkCleanup.sh); only on a stopped server
       paddock-server inspect log|snapshot <file> | inspect dir <dir>
                     print a txn log segment, a snapshot or a data directory (read-only)
       paddock-server import-zk <zkDataDir> [zkDataLogDir] <dataDir> [--ignore-digest]
                     turn a stopped Apache ZooKeeper's data into a new Paddock dataDir
       paddock-server export-zk <dataDir> [dataLogDir] <zkDataDir>
                     the way back: write a stopped Paddock server's data as a ZooKeeper snapshot
       paddock-server help | --help | -h

Without a zoo.cfg, start-foreground and status look for $ZOOCFGDIR/zoo.cfg, $ZOO_CONF_DIR/zoo.cfg,
then ./zoo.cfg. Migrating from or back to ZooKeeper: docs/migrating.md.
`;
