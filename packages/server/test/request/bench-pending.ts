/*
 * What the pending view costs per write, prepare to apply, without the rest of the server:
 * `node --import tsx packages/server/test/request/bench-pending.ts [writes=1000000] [rounds=4]`.
 * Not part of the test suite.
 *
 * Each write takes a Scratch, reads through it, changes what a set or a create changes and
 * commits under the next zxid; applies trail the prepares by 256 zxids, as with 32 clients × 8
 * requests in flight. `set` changes one of 1,000 stored znodes; `create` adds a new child under
 * one parent, so the parent's record is put again by every write (docs/benchmarks.md,
 * seventeenth round of issue 14).
 */
import type { ACL } from "@paddock/jute";
import { PendingChanges, Scratch } from "../../src/request/pending.js";
import { DataTree } from "../../src/tree/data-tree.js";
import { storedNode } from "../../src/tree/node.js";

const WRITES = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 4);
const IN_FLIGHT = 256;
const STORED = 1000;
const ACL_OPEN: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

const tree = new DataTree(false);
tree.insert("/b", storedNode("", ACL_OPEN, 1, 0, 0n));
const stored = Array.from({ length: STORED }, (_, i) => `/b/k${i}`);
for (const path of stored) tree.insert(path, storedNode("x", ACL_OPEN, 1, 0, 0n));
const pending = new PendingChanges(tree);
let zxid = 1;
let created = 0;

function run(writes: number, prepare: (i: number, scratch: Scratch) => void): void {
  let applied = zxid;
  for (let i = 0; i < writes; i++) {
    const scratch = new Scratch(pending);
    prepare(i, scratch);
    scratch.commit(++zxid);
    if (zxid - applied > IN_FLIGHT) pending.appliedUpTo(++applied);
  }
  pending.appliedUpTo(zxid);
}

function set(i: number, scratch: Scratch): void {
  // A stride prime to 1,000 visits every stored znode.
  const path = stored[(i * 7919) % STORED]!;
  const node = scratch.get(path)!;
  scratch.set(path, { ...node, version: node.version + 1 });
}

function create(_i: number, scratch: Scratch): void {
  const path = `/b/c-${created++}`;
  const parent = scratch.get("/b")!;
  if (scratch.get(path) !== undefined) throw new Error(`${path} exists`);
  scratch.set("/b", {
    ...parent,
    childCounter: parent.childCounter + 1,
    numChildren: parent.numChildren + 1,
  });
  scratch.set(path, {
    version: 0,
    aversion: 0,
    childCounter: 0,
    numChildren: 0,
    ephemeralOwner: 0n,
    acl: ACL_OPEN,
  });
}

function nsPerWrite(prepare: (i: number, scratch: Scratch) => void): string {
  const startedNs = process.hrtime.bigint();
  run(WRITES, prepare);
  return (Number(process.hrtime.bigint() - startedNs) / WRITES).toFixed(0);
}

// Warm-up: the JIT compiles both patterns before anything is timed.
run(WRITES / 5, set);
run(WRITES / 5, create);
const sets: string[] = [];
const creates: string[] = [];
for (let r = 0; r < ROUNDS; r++) {
  sets.push(nsPerWrite(set));
  creates.push(nsPerWrite(create));
}
console.log(
  `ns per write, ${ROUNDS} rounds of ${WRITES}: set ${sets.join(" ")}; create ${creates.join(" ")}`,
);
