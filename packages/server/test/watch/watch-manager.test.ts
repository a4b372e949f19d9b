import { ErrorCode, EventType, emptyStat, type Stat, WatcherType } from "@paddock/jute";
import { describe, expect, it } from "vitest";
import type { TriggeredEvent } from "../../src/request/contract.js";
import { WatchManager, type WatchSink } from "../../src/watch/watch-manager.js";

interface FakeSink extends WatchSink {
  events: string[];
}

// A shared log shows the order across sinks as well as within one.
function makeSinks(count: number, log: string[] = []): FakeSink[] {
  return Array.from({ length: count }, (_, i) => {
    const events: string[] = [];
    return {
      connectionId: i + 1,
      sessionId: 0x100n + BigInt(i),
      events,
      sendEvent(type: EventType, path: string) {
        events.push(`${EventType[type]} ${path}`);
        log.push(`${i + 1}:${EventType[type]} ${path}`);
      },
    };
  });
}

const created = (path: string): TriggeredEvent => ({ type: EventType.NodeCreated, path, acl: [] });
const deleted = (path: string): TriggeredEvent => ({ type: EventType.NodeDeleted, path, acl: [] });
const changed = (path: string): TriggeredEvent => ({ type: EventType.NodeDataChanged, path, acl: [] });
const children = (path: string): TriggeredEvent => ({ type: EventType.NodeChildrenChanged, path, acl: [] });

describe("WatchManager.deliver", () => {
  it("fires a standard data watch once and then forgets it", () => {
    const wm = new WatchManager();
    const [a] = makeSinks(1) as [FakeSink];
    wm.addDataWatch("/a", a);
    wm.deliver([changed("/a")]);
    wm.deliver([changed("/a")]);
    expect(a.events).toEqual(["NodeDataChanged /a"]);
    expect(wm.summary()).toEqual({ connections: 0, paths: 0, totalWatches: 0 });
  });

  it("create: NodeCreated to data watchers of P, NodeChildrenChanged to child watchers of the parent", () => {
    const wm = new WatchManager();
    const log: string[] = [];
    const [a, b] = makeSinks(2, log) as [FakeSink, FakeSink];
    wm.addDataWatch("/p/c", a); // exists on a missing node
    wm.addChildWatch("/p", b);
    wm.addChildWatch("/p/c", b); // a child watch on P itself does not see NodeCreated
    wm.deliver([created("/p/c"), children("/p")]);
    expect(log).toEqual(["1:NodeCreated /p/c", "2:NodeChildrenChanged /p"]);
  });

  it("persistent watches stay after firing and see data and child events on their path only", () => {
    const wm = new WatchManager();
    const [a] = makeSinks(1) as [FakeSink];
    wm.addPersistentWatch("/p", a, false);
    wm.deliver([changed("/p"), changed("/p"), children("/p"), created("/p/c"), changed("/p/c")]);
    expect(a.events).toEqual(["NodeDataChanged /p", "NodeDataChanged /p", "NodeChildrenChanged /p"]);
  });

  it("recursive watches fire for the path and all descendants but never for NodeChildrenChanged", () => {
    const wm = new WatchManager();
    const [a, r] = makeSinks(2) as [FakeSink, FakeSink];
    wm.addPersistentWatch("/", r, true);
    wm.addPersistentWatch("/x/y", a, true);
    wm.deliver([
      created("/x"),
      children("/"),
      created("/x/y"),
      children("/x"),
      changed("/x/y/z/deep"),
      deleted("/x/y"),
      changed("/"),
    ]);
    expect(r.events).toEqual([
      "NodeCreated /x",
      "NodeCreated /x/y",
      "NodeDataChanged /x/y/z/deep",
      "NodeDeleted /x/y",
      "NodeDataChanged /",
    ]);
    expect(a.events).toEqual(["NodeCreated /x/y", "NodeDataChanged /x/y/z/deep", "NodeDeleted /x/y"]);
  });

  it("sends at most one event per sink per trigger despite overlapping registrations", () => {
    // 3.9 mode: there Data/Children see standard watches only, which is what this test checks.
    const wm = new WatchManager({ persistentWatcherTypes: true });
    const [a] = makeSinks(1) as [FakeSink];
    wm.addPersistentWatch("/", a, true);
    wm.addPersistentWatch("/a", a, true);
    wm.addPersistentWatch("/a/b", a, false);
    wm.addDataWatch("/a/b", a);
    wm.addChildWatch("/a/b", a);
    wm.deliver([deleted("/a/b")]);
    expect(a.events).toEqual(["NodeDeleted /a/b"]);
    // The standard data and child watches were consumed; persistent and recursive remain.
    expect(wm.removeWatches("/a/b", WatcherType.Data, a, true)).toBe(ErrorCode.NoWatcher);
    expect(wm.removeWatches("/a/b", WatcherType.Children, a, true)).toBe(ErrorCode.NoWatcher);
    wm.deliver([changed("/a/b")]);
    expect(a.events).toEqual(["NodeDeleted /a/b", "NodeDataChanged /a/b"]);
  });

  it("lets Data and Children find a persistent watch in 3.8 mode, as ZooKeeper 3.8 does", () => {
    const wm = new WatchManager();
    const [a] = makeSinks(1) as [FakeSink];
    wm.addPersistentWatch("/p", a, false);
    expect(wm.removeWatches("/p", WatcherType.Data, a, true)).toBe(ErrorCode.OK);
    expect(wm.removeWatches("/p", WatcherType.Children, a, true)).toBe(ErrorCode.OK);
    expect(wm.removeWatches("/p", WatcherType.Data, a, false)).toBe(ErrorCode.OK);
    // Removed from the data table only: data changes no longer notify, child changes still do.
    wm.deliver([changed("/p")]);
    expect(a.events).toEqual([]);
    expect(wm.removeWatches("/p", WatcherType.Children, a, true)).toBe(ErrorCode.OK);
  });

  it("delete: data-table watchers first, then child-table watchers not yet notified", () => {
    const wm = new WatchManager();
    const log: string[] = [];
    const [a, b, c] = makeSinks(3, log) as [FakeSink, FakeSink, FakeSink];
    wm.addChildWatch("/d", a);
    wm.addDataWatch("/d", b);
    wm.addChildWatch("/d", b);
    wm.addChildWatch("/", c);
    wm.deliver([deleted("/d"), children("/")]);
    expect(log).toEqual(["2:NodeDeleted /d", "1:NodeDeleted /d", "3:NodeChildrenChanged /"]);
    // b's child watch was consumed even though it was suppressed.
    wm.deliver([deleted("/d")]);
    expect(log).toHaveLength(3);
  });

  it("a standard watch coexists with a persistent one on the same path", () => {
    const wm = new WatchManager();
    const [a] = makeSinks(1) as [FakeSink];
    wm.addPersistentWatch("/p", a, false);
    wm.addDataWatch("/p", a);
    wm.deliver([changed("/p"), changed("/p")]);
    expect(a.events).toEqual(["NodeDataChanged /p", "NodeDataChanged /p"]);
  });

  it("a filter suppresses the event but still consumes the standard watch", () => {
    const wm = new WatchManager();
    const [a, b] = makeSinks(2) as [FakeSink, FakeSink];
    wm.addDataWatch("/s", a);
    wm.addDataWatch("/s", b);
    wm.deliver([changed("/s")], (sink) => sink !== a);
    wm.deliver([changed("/s")]);
    expect(a.events).toEqual([]);
    expect(b.events).toEqual(["NodeDataChanged /s"]);
  });

  it("finds recursive watchers with a walk over the ancestors, independent of unrelated watches", () => {
    // Many unrelated recursive watches must not change the result (and keep lookups cheap).
    const wm = new WatchManager();
    const sinks = makeSinks(2000);
    sinks.forEach((s, i) => {
      wm.addPersistentWatch(`/other/n${i}`, s, true);
    });
    const [target] = makeSinks(1) as [FakeSink];
    wm.addPersistentWatch("/deep/a", target, true);
    wm.deliver([changed("/deep/a/b/c/d/e")]);
    expect(target.events).toEqual(["NodeDataChanged /deep/a/b/c/d/e"]);
    expect(sinks.every((s) => (s as FakeSink).events.length === 0)).toBe(true);
  });
});

describe("WatchManager.removeSink", () => {
  it("drops every watch of the connection and leaves the others", () => {
    const wm = new WatchManager();
    const [a, b] = makeSinks(2) as [FakeSink, FakeSink];
    wm.addDataWatch("/x", a);
    wm.addChildWatch("/x", a);
    wm.addPersistentWatch("/", a, true);
    wm.addPersistentWatch("/y", a, false);
    wm.addDataWatch("/x", b);
    wm.removeSink(a);
    wm.deliver([changed("/x"), children("/x"), changed("/y"), changed("/z")]);
    expect(a.events).toEqual([]);
    expect(b.events).toEqual(["NodeDataChanged /x"]);
    expect(wm.totalWatchCount()).toBe(0);
  });
});

describe("WatchManager.removeWatches", () => {
  it("reports 3.8's unsupported WatcherTypes as invalid and 3.9's as valid", () => {
    const v38 = new WatchManager();
    const v39 = new WatchManager({ persistentWatcherTypes: true });
    for (const t of [1, 2, 3]) {
      expect(v38.isValidWatcherType(t)).toBe(true);
      expect(v39.isValidWatcherType(t)).toBe(true);
    }
    for (const t of [4, 5]) {
      expect(v38.isValidWatcherType(t)).toBe(false);
      expect(v39.isValidWatcherType(t)).toBe(true);
    }
    for (const t of [0, 6, -1]) expect(v39.isValidWatcherType(t)).toBe(false);
    const [a] = makeSinks(1) as [FakeSink];
    v38.addPersistentWatch("/p", a, false);
    expect(v38.removeWatches("/p", WatcherType.Persistent, a, false)).toBe(ErrorCode.MarshallingError);
    expect(v38.removeWatches("/p", WatcherType.Any, a, false)).toBe(ErrorCode.OK);
    expect(v39.removeWatches("/p", 6, a, true)).toBe(ErrorCode.MarshallingError);
    expect(v38.totalWatchCount()).toBe(0);
  });

  it("matches by type, honours dryRun and answers NoWatcher when nothing matches", () => {
    const wm = new WatchManager({ persistentWatcherTypes: true });
    const [a, b] = makeSinks(2) as [FakeSink, FakeSink];
    wm.addDataWatch("/n", a);
    wm.addChildWatch("/n", b);
    expect(wm.removeWatches("/n", WatcherType.Children, a, true)).toBe(ErrorCode.NoWatcher);
    expect(wm.removeWatches("/n", WatcherType.Data, b, true)).toBe(ErrorCode.NoWatcher);
    expect(wm.removeWatches("/n", WatcherType.Data, a, true)).toBe(ErrorCode.OK);
    expect(wm.removeWatches("/n", WatcherType.Data, a, true)).toBe(ErrorCode.OK);
    expect(wm.removeWatches("/n", WatcherType.Data, a, false)).toBe(ErrorCode.OK);
    expect(wm.removeWatches("/n", WatcherType.Data, a, true)).toBe(ErrorCode.NoWatcher);
    expect(wm.removeWatches("/n", WatcherType.Persistent, b, false)).toBe(ErrorCode.NoWatcher);
    expect(wm.removeWatches("/n", WatcherType.Any, b, false)).toBe(ErrorCode.OK);
    expect(wm.totalWatchCount()).toBe(0);
  });

  it("removes a persistent pair or a recursive watch without touching standard ones", () => {
    const wm = new WatchManager({ persistentWatcherTypes: true });
    const [a] = makeSinks(1) as [FakeSink];
    wm.addPersistentWatch("/p", a, false);
    wm.addPersistentWatch("/p", a, true);
    wm.addDataWatch("/p", a);
    expect(wm.removeWatches("/p", WatcherType.PersistentRecursive, a, false)).toBe(ErrorCode.OK);
    wm.deliver([changed("/p/child")]);
    expect(a.events).toEqual([]);
    expect(wm.removeWatches("/p", WatcherType.Persistent, a, false)).toBe(ErrorCode.OK);
    expect(wm.removeWatches("/p", WatcherType.Persistent, a, false)).toBe(ErrorCode.NoWatcher);
    wm.deliver([children("/p"), changed("/p"), changed("/p")]);
    expect(a.events).toEqual(["NodeDataChanged /p"]);
  });
});

describe("WatchManager.applySetWatches", () => {
  const stat = (mzxid: number, pzxid: number): Stat => ({ ...emptyStat(), mzxid, pzxid });
  const nodes = new Map<string, Stat>([
    ["/old", stat(5, 5)],
    ["/new", stat(20, 5)],
    ["/kids", stat(5, 20)],
  ]);
  const lookup = (p: string) => nodes.get(p);

  it("replays missed changes in list order and registers the rest", () => {
    const wm = new WatchManager();
    const [a] = makeSinks(1) as [FakeSink];
    wm.applySetWatches(
      {
        relativeZxid: 10,
        dataWatches: ["/gone", "/new", "/old"],
        existWatches: ["/old", "/missing"],
        childWatches: ["/gone2", "/kids", "/old"],
        persistentWatches: ["/p"],
        persistentRecursiveWatches: ["/r"],
      },
      a,
      lookup,
    );
    expect(a.events).toEqual([
      "NodeDeleted /gone",
      "NodeDataChanged /new",
      "NodeCreated /old",
      "NodeDeleted /gone2",
      "NodeChildrenChanged /kids",
    ]);
    a.events.length = 0;
    wm.deliver([
      changed("/old"),
      created("/missing"),
      children("/old"),
      changed("/new"),
      children("/kids"),
      children("/p"),
      changed("/r/x"),
    ]);
    expect(a.events).toEqual([
      "NodeDataChanged /old",
      "NodeCreated /missing",
      "NodeChildrenChanged /old",
      "NodeChildrenChanged /p",
      "NodeDataChanged /r/x",
    ]);
  });
});

describe("WatchManager 4lw views", () => {
  it("counts and lists the data table only, by session and by path", () => {
    const wm = new WatchManager();
    const [a, b, c] = makeSinks(3) as [FakeSink, FakeSink, FakeSink];
    wm.addDataWatch("/zz", b);
    wm.addDataWatch("/nonexist", a);
    wm.addDataWatch("/zz", a);
    wm.addChildWatch("/zz", a);
    wm.addChildWatch("/only-children", c);
    wm.addPersistentWatch("/p", b, false);
    wm.addPersistentWatch("/r", b, true);
    expect(wm.summary()).toEqual({ connections: 2, paths: 4, totalWatches: 5 });
    expect(wm.totalWatchCount()).toBe(8);
    expect(wm.watchesBySession()).toEqual([
      { sessionId: 0x100n, paths: ["/nonexist", "/zz"] },
      { sessionId: 0x101n, paths: ["/p", "/r", "/zz"] },
    ]);
    expect(wm.watchesByPath()).toEqual([
      { path: "/nonexist", sessionIds: [0x100n] },
      { path: "/p", sessionIds: [0x101n] },
      { path: "/r", sessionIds: [0x101n] },
      { path: "/zz", sessionIds: [0x100n, 0x101n] },
    ]);
  });
});
