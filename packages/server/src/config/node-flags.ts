// The node options every launcher Paddock ships puts before the server bundle: the image's
// entrypoint, `npm start`'s local ensemble, paddock-chaos's processes and the benchmarks. They
// live in packages/server/node-flags.json so plain scripts (scripts/start-local.mjs) read the
// same list as the bundled launchers.
//
// Why --initial-old-space-size: under a steady write load V8 starts a full mark-compact as soon
// as the old generation's room drops below the young generation's capacity, which with its
// default small starting old space is right after the previous one (3-5 full collections a
// second on each member, measured with --trace-gc). Starting the old space at 256 MiB, as
// ZooKeeper's image starts the JVM with -Xms, cut them about eightfold and the median CPU per
// write of a 3-server ensemble from 89 to 65 µs (noisy; docs/benchmarks.md, fourth round of
// issue 14). V8 reads this option only from the command line: not from NODE_OPTIONS and not from
// v8.setFlagsFromString once the heap exists.
import flags from "../../node-flags.json" with { type: "json" };

export const SERVER_NODE_FLAGS: readonly string[] = flags.server;
