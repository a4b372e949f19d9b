// The node options every launcher Paddock ships puts before the server bundle: the image's
// entrypoint, `npm start`'s local ensemble, paddock-chaos's processes and the benchmarks. They
// live in packages/server/node-flags.json so plain scripts (scripts/start-local.mjs) read the
// same list as the bundled launchers.
//
// Why --initial-old-space-size: under a steady write load V8 starts a full mark-compact as soon
// as the old generation's room drops below the young generation's capacity, which with its
// default small starting old space is right after the previous one (3-5 full collections a
// second on each member, measured with --trace-gc). Starting the old space larger, as
// ZooKeeper's image starts the JVM with -Xms, cut them about eightfold and the median CPU per
// write of a 3-server ensemble from 89 to 65 µs (noisy; docs/benchmarks.md, fourth round of
// issue 14). V8 reads this option only from the command line: not from NODE_OPTIONS and not from
// v8.setFlagsFromString once the heap exists. 512 MiB rather than 256: a 1M-znode tree's heap
// (about 380 MB) fits in it, so a restart loads it without the extra full collections that
// growth of 30 % (below) from 256 MiB cost, 7 % of the recovery time.
//
// Why --heap-growing-percent=30: after each full collection V8 lets the old generation grow by a
// factor it picks from how fast the collector is against the program, up to 4. A heap whose live
// set grows while young objects churn, as a server's does while clients build a tree, peaked at
// 2.7 times its live set that way (the test of these flags), and a server that had just built 1M
// znodes held 807-826 MB of RSS, 250-300 of it garbage. With the growth fixed at 30 % the heap
// peaked at 1.5-1.7 times the live set and the same server held 553-614 MB; its recovery time
// did not change (with the larger starting heap above), and CPU per write stayed within the
// benchmark's spread (docs/benchmarks.md, thirteenth round of issue 14).
import flags from "../../node-flags.json" with { type: "json" };

export const SERVER_NODE_FLAGS: readonly string[] = flags.server;
