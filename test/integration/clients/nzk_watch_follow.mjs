// One node-zookeeper-client session writes while another follows it with one-shot watches, each
// re-armed by the read that follows its event, as that library's users write it. The writer
// creates WRITES children and sets a value to each count in turn; the follower must end on the
// last state. A leader's death drops every client's connection, so the follower reconnects at
// each one: the library re-registers its watches with SetWatches, and every write after that must
// still reach it as an event. test/integration/node-zookeeper-client-failover.test.ts runs it
// while servers of the ensemble are killed.
//
// Usage: node nzk_watch_follow.mjs <connect> <path> <writes>
// Prints READY, PROGRESS <n> every 20 writes, FOLLOWER <state> on each of the follower's
// connection changes, then DONE children=<n> value=<v> seen_children=<n> seen_value=<v> errors=<e>.
import zookeeper from "node-zookeeper-client";

const [connect, path, writesArg] = process.argv.slice(2);
const writes = Number(writesArg);
const { Exception } = zookeeper;
/** Failures a retry may cure: the connection went away, or the member is not serving yet. */
const TRANSIENT = new Set([Exception.CONNECTION_LOSS, Exception.OPERATION_TIMEOUT, Exception.SESSION_MOVED]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function session() {
  // A 20 s session outlives every failover in the test.
  const client = zookeeper.createClient(connect, { sessionTimeout: 20_000, spinDelay: 100, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("not connected in 15 s")), 15_000);
    client.once("connected", () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

/** One call, retried while its failure is transient. */
async function retried(call) {
  for (;;) {
    try {
      return await new Promise((resolve, reject) =>
        call((err, value) => (err ? reject(err) : resolve(value))),
      );
    } catch (err) {
      if (!TRANSIENT.has(err.getCode?.())) throw err;
      await sleep(100);
    }
  }
}

const writer = await session();
const follower = await session();
follower.on("state", (state) => console.log(`FOLLOWER ${state.name}`));
await retried((cb) => writer.mkdirp(`${path}/children`, cb));
await retried((cb) => writer.create(`${path}/value`, Buffer.from("0"), cb));

const seen = { children: -1, value: "" };
// Each read arms the next watch; a read that fails on a lost connection is tried again.
function followChildren() {
  follower.getChildren(`${path}/children`, followChildren, (err, children) => {
    if (err) setTimeout(followChildren, 100);
    else seen.children = children.length;
  });
}
function followValue() {
  follower.getData(`${path}/value`, followValue, (err, data) => {
    if (err) setTimeout(followValue, 100);
    else seen.value = data.toString();
  });
}
followChildren();
followValue();
console.log("READY");

let errors = 0;
for (let i = 1; i <= writes; i++) {
  const child = `${path}/children/c${String(i).padStart(4, "0")}`;
  try {
    try {
      await retried((cb) => writer.create(child, cb));
    } catch (err) {
      // A create retried after its reply was lost finds its own node.
      if (err.getCode?.() !== Exception.NODE_EXISTS) throw err;
    }
    await retried((cb) => writer.setData(`${path}/value`, Buffer.from(String(i)), cb));
  } catch (err) {
    errors++;
    console.error(err);
  }
  if (i % 20 === 0) console.log(`PROGRESS ${i}`);
}
const children = (await retried((cb) => writer.getChildren(`${path}/children`, cb))).length;
const value = (await retried((cb) => writer.getData(`${path}/value`, cb))).toString();
const deadlineMs = Date.now() + 30_000;
while (Date.now() < deadlineMs && (seen.children !== children || seen.value !== value)) await sleep(50);
console.log(
  `DONE children=${children} value=${value} seen_children=${seen.children} seen_value=${seen.value} errors=${errors}`,
);
writer.close();
follower.close();
process.exit(errors === 0 ? 0 : 1);
