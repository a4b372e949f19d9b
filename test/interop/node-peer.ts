// The Node side of the leader hand-over benchmark, as its own process (so it can be killed the
// way CuratorPeer is): a LeaderLatch printing "leader <epoch ms>"; stdin "close" closes it.
// Usage: tsx test/interop/node-peer.ts latch <connectString> <path> <sessionTimeoutMs>
import { createInterface } from "node:readline";
import { LeaderLatch, ZooKeeperClient } from "../../packages/client/src/index.js";

const [mode, connectString, path, timeout] = process.argv.slice(2);
if (mode !== "latch" || connectString === undefined || path === undefined) {
  console.error("usage: node-peer.ts latch <connectString> <path> <sessionTimeoutMs>");
  process.exit(2);
}
const client = new ZooKeeperClient({ connectString, sessionTimeoutMs: Number(timeout ?? 4000) });
await client.connect();
const latch = new LeaderLatch(client, path);
latch.on("isLeader", () => console.log(`leader ${Date.now()}`));
await latch.start();
console.log("started");
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "close") {
    await latch.close();
    console.log(`closed ${Date.now()}`);
  } else if (line.trim() === "exit") {
    await client.close();
    process.exit(0);
  }
}
