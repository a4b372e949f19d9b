// The text of `paddock-server --help`.

export const USAGE = `usage: paddock-server [--config <conf-dir>] [start-foreground] <zoo.cfg>
                     run a server in the foreground until SIGTERM or SIGINT (Ctrl-C)
       paddock-server [--config <conf-dir>] start|stop|restart|print-cmd [zoo.cfg]
                     run a server in the background, like zkServer.sh: its pid in
                     $ZOOPIDFILE (default dataDir/zookeeper_server.pid), its output in $ZOO_LOG_DIR
                     (default dataDir); stop sends SIGTERM and waits until the server has exited
       paddock-server [--config <conf-dir>] status [zoo.cfg]
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

--config <conf-dir> sets $ZOOCFGDIR. As zkServer.sh does, the server verbs first source
$ZOOCFGDIR/zookeeper-env.sh and $ZOOCFGDIR/java.env, and a zoo.cfg named without a directory is
read from $ZOOCFGDIR. Without a zoo.cfg they look for $ZOOCFGDIR/$ZOOCFG (ZOOCFG defaults to
zoo.cfg), $ZOO_CONF_DIR/zoo.cfg, then ./zoo.cfg. The -D settings of $SERVER_JVMFLAGS and
$JVMFLAGS apply. Migrating from or back to ZooKeeper: docs/migrating.md.
`;
