// A client nobody on this project wrote (node-zookeeper-client from npm) against a Paddock
// server process: the common operations a user of that library performs, end to end.
import { createHash } from "node:crypto";
import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPaddock } from "../support/paddock.js";
import type { ServerHandle } from "../support/process.js";

type Client = zookeeper.Client;
type ZkStat = zookeeper.Stat;

let server: ServerHandle;

beforeAll(async () => {
  server = await startPaddock();
});

afterAll(async () => {
  await server?.stop();
});

function connect(sessionTimeoutMs = 10_000): Promise<Client> {
  const client = zookeeper.createClient(server.connectString, {
    sessionTimeout: sessionTimeoutMs,
    retries: 0,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("connect timed out")), 5000);
    client.once("connected", () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

function call<T>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

function errorCode(err: unknown): number {
  return (err as { getCode(): number }).getCode();
}

// The typings omit the library's ACL.OPEN_ACL_UNSAFE constant; build the same world:anyone ACL.
const OPEN = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id("world", "anyone"))];

describe("node-zookeeper-client against Paddock", () => {
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    a = await connect();
    b = await connect();
  });

  afterAll(() => {
    a?.close();
    b?.close();
  });

  it("creates, reads, updates and deletes a znode with exact stat fields", async () => {
    const path = await call<string>((cb) =>
      a.create("/crud", Buffer.from("v1"), OPEN, zookeeper.CreateMode.PERSISTENT, cb),
    );
    expect(path).toBe("/crud");
    const [data, stat] = await new Promise<[Buffer, ZkStat]>((resolve, reject) =>
      a.getData("/crud", (err, d, s) => (err ? reject(err) : resolve([d, s]))),
    );
    expect(data.toString()).toBe("v1");
    expect(stat.version).toBe(0);
    expect(stat.dataLength).toBe(2);
    expect(stat.czxid.equals(stat.mzxid)).toBe(true);

    const stat2 = await call<ZkStat>((cb) => a.setData("/crud", Buffer.from("v22"), 0, cb));
    expect(stat2.version).toBe(1);
    expect(stat2.dataLength).toBe(3);

    await expect(call((cb) => a.setData("/crud", Buffer.from("x"), 0, cb))).rejects.toSatisfy(
      (err) => errorCode(err) === zookeeper.Exception.BAD_VERSION,
    );
    await call((cb) => a.remove("/crud", 1, cb));
    const gone = await call<ZkStat | null>((cb) => a.exists("/crud", cb));
    expect(gone).toBeNull();
  });

  it("numbers sequential children from the parent's counter, never reusing numbers", async () => {
    await call((cb) => a.create("/seq", Buffer.alloc(0), OPEN, zookeeper.CreateMode.PERSISTENT, cb));
    const first = await call<string>((cb) =>
      a.create("/seq/n-", Buffer.alloc(0), OPEN, zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, cb),
    );
    expect(first).toBe("/seq/n-0000000000");
    await call((cb) => a.remove(first, -1, cb));
    const second = await call<string>((cb) =>
      a.create("/seq/n-", Buffer.alloc(0), OPEN, zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, cb),
    );
    expect(second).toBe("/seq/n-0000000001");
  });

  it("delivers a one-shot data watch to another client before the writer's reply", async () => {
    await call((cb) => a.create("/watched", Buffer.from("0"), OPEN, zookeeper.CreateMode.PERSISTENT, cb));
    const event = new Promise<zookeeper.Event>((resolve) => {
      b.getData(
        "/watched",
        (e) => resolve(e),
        () => {},
      );
    });
    // Let b's watch registration reach the server first.
    await call<ZkStat | null>((cb) => b.exists("/watched", cb));
    await call((cb) => a.setData("/watched", Buffer.from("1"), -1, cb));
    const e = await event;
    expect(e.getType()).toBe(zookeeper.Event.NODE_DATA_CHANGED);
    expect(e.getPath()).toBe("/watched");
  });

  it("fires child watches and lists children", async () => {
    await call((cb) => a.create("/kids", Buffer.alloc(0), OPEN, zookeeper.CreateMode.PERSISTENT, cb));
    const event = new Promise<zookeeper.Event>((resolve) => {
      b.getChildren(
        "/kids",
        (e) => resolve(e),
        () => {},
      );
    });
    await call<ZkStat | null>((cb) => b.exists("/kids", cb));
    await call((cb) => a.create("/kids/x", Buffer.alloc(0), OPEN, zookeeper.CreateMode.PERSISTENT, cb));
    expect((await event).getType()).toBe(zookeeper.Event.NODE_CHILDREN_CHANGED);
    const children = await call<string[]>((cb) => a.getChildren("/kids", cb));
    expect(children).toEqual(["x"]);
  });

  it("removes a closed session's ephemerals and tells watchers", async () => {
    const c = await connect();
    await call((cb) => c.create("/eph", Buffer.alloc(0), OPEN, zookeeper.CreateMode.EPHEMERAL, cb));
    const stat = await call<ZkStat>((cb) => a.exists("/eph", cb));
    expect(stat.ephemeralOwner.toString("hex")).toBe(c.getSessionId().toString("hex"));
    const deleted = new Promise<zookeeper.Event>((resolve) => {
      a.exists(
        "/eph",
        (e) => resolve(e),
        () => {},
      );
    });
    c.close();
    expect((await deleted).getType()).toBe(zookeeper.Event.NODE_DELETED);
    expect(await call<ZkStat | null>((cb) => a.exists("/eph", cb))).toBeNull();
  });

  it("runs a transaction all-or-nothing", async () => {
    const ok = await call<unknown[]>((cb) =>
      a
        .transaction()
        .create("/tx", Buffer.from("a"))
        .setData("/tx", Buffer.from("b"), 0)
        .check("/tx", 1)
        .commit(cb),
    );
    expect(ok).toHaveLength(3);
    await expect(
      call((cb) => a.transaction().create("/tx2", Buffer.alloc(0)).check("/tx", 99).commit(cb)),
    ).rejects.toSatisfy((err) => errorCode(err) === zookeeper.Exception.BAD_VERSION);
    expect(await call<ZkStat | null>((cb) => a.exists("/tx2", cb))).toBeNull();
  });

  it("enforces digest ACLs", async () => {
    const owner = await connect();
    owner.addAuthInfo("digest", Buffer.from("alice:secret"));
    const acl = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id("auth", ""))];
    await call((cb) => owner.create("/private", Buffer.from("s"), acl, zookeeper.CreateMode.PERSISTENT, cb));
    await expect(call((cb) => b.getData("/private", cb))).rejects.toSatisfy(
      (err) => errorCode(err) === zookeeper.Exception.NO_AUTH,
    );
    const acls = await call<zookeeper.ACL[]>((cb) => owner.getACL("/private", cb));
    expect(acls[0]!.id.scheme).toBe("digest");
    const expectedId = `alice:${createHash("sha1").update("alice:secret").digest("base64")}`;
    expect(acls[0]!.id.id).toBe(expectedId);
    owner.close();
  });
});
