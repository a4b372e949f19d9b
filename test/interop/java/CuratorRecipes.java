// Apache Curator's own recipes, run as a user would run them, against one connect string: caches
// (CuratorCache, TreeCache, NodeCache, PathChildrenCache), leader election (LeaderSelector,
// LeaderLatch with a failover), locks (semaphores, read-write, multi), barriers, group
// membership, shared values, atomic longs, protected ephemeral-sequential names under container
// parents, transactions, persistent recursive watches and their removal, PersistentNode and
// DistributedQueue. Each prints `PASS <name>` or `FAIL <name>: <why>`, then `DONE <n> failed`.
// test/interop/curator-recipes.test.ts runs it against Paddock and against ZooKeeper 3.8, whose
// passing keeps these expectations honest.
import org.apache.curator.framework.*;
import org.apache.curator.framework.api.*;
import org.apache.curator.framework.api.transaction.*;
import org.apache.curator.framework.recipes.atomic.*;
import org.apache.curator.framework.recipes.barriers.*;
import org.apache.curator.framework.recipes.cache.*;
import org.apache.curator.framework.recipes.leader.*;
import org.apache.curator.framework.recipes.locks.*;
import org.apache.curator.framework.recipes.nodes.*;
import org.apache.curator.framework.recipes.shared.*;
import org.apache.curator.retry.*;
import org.apache.zookeeper.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

public class CuratorRecipes {
  static String connect;
  static CuratorFramework client() throws Exception {
    CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs(10000).connectionTimeoutMs(5000).retryPolicy(new RetryNTimes(10, 200)).build();
    c.start(); if (!c.blockUntilConnected(10, TimeUnit.SECONDS)) throw new RuntimeException("no connect"); return c;
  }
  static void check(boolean ok, String what) { if (!ok) throw new AssertionError(what); }
  interface Body { void run() throws Exception; }
  static int failures = 0;
  static void test(String name, Body b) {
    long t0 = System.nanoTime();
    try { b.run(); System.out.println("PASS " + name + " (" + (System.nanoTime() - t0) / 1000000 + " ms)"); }
    catch (Throwable e) { failures++; System.out.println("FAIL " + name + ": " + e); e.printStackTrace(); }
  }
  public static void main(String[] a) throws Exception {
    connect = a[0];
    String root = "/recipes-" + System.currentTimeMillis();
    CuratorFramework c = client();
    test("curator-cache", () -> {
      String base = root + "/cc";
      c.create().creatingParentsIfNeeded().forPath(base);
      CuratorCache cache = CuratorCache.build(c, base);
      AtomicInteger created = new AtomicInteger(), changed = new AtomicInteger(), deleted = new AtomicInteger();
      CountDownLatch init = new CountDownLatch(1);
      cache.listenable().addListener(CuratorCacheListener.builder().forCreates(n -> created.incrementAndGet()).forChanges((o, n) -> changed.incrementAndGet()).forDeletes(n -> deleted.incrementAndGet()).forInitialized(init::countDown).build());
      cache.start(); check(init.await(10, TimeUnit.SECONDS), "initialized");
      for (int i = 0; i < 20; i++) c.create().creatingParentsIfNeeded().forPath(base + "/d" + (i % 4) + "/n" + i, ("v" + i).getBytes());
      for (int i = 0; i < 20; i += 2) c.setData().forPath(base + "/d" + (i % 4) + "/n" + i, "x".getBytes());
      for (int i = 1; i < 20; i += 4) c.delete().forPath(base + "/d" + (i % 4) + "/n" + i);
      long end = System.currentTimeMillis() + 10000;
      while (System.currentTimeMillis() < end && (created.get() < 25 || changed.get() < 10 || deleted.get() < 5)) Thread.sleep(20);
      // The root was there before the cache started: its initial load counts as a create.
      check(created.get() == 25 && changed.get() == 10 && deleted.get() == 5, "events created=" + created + " changed=" + changed + " deleted=" + deleted);
      check(cache.size() == 1 + 4 + 15, "cache size " + cache.size());
      cache.close();
    });
    test("tree-cache", () -> {
      String base = root + "/tc";
      c.create().creatingParentsIfNeeded().forPath(base + "/a/b", "1".getBytes());
      TreeCache tc = TreeCache.newBuilder(c, base).build();
      CountDownLatch init = new CountDownLatch(1); AtomicInteger adds = new AtomicInteger();
      tc.getListenable().addListener((cl, ev) -> { if (ev.getType() == TreeCacheEvent.Type.INITIALIZED) init.countDown(); if (ev.getType() == TreeCacheEvent.Type.NODE_ADDED) adds.incrementAndGet(); });
      tc.start(); check(init.await(10, TimeUnit.SECONDS), "initialized");
      c.create().forPath(base + "/a/c", "2".getBytes());
      long end = System.currentTimeMillis() + 5000;
      while (System.currentTimeMillis() < end && tc.getCurrentData(base + "/a/c") == null) Thread.sleep(20);
      check(tc.getCurrentData(base + "/a/c") != null && new String(tc.getCurrentData(base + "/a/c").getData()).equals("2"), "a/c seen");
      check(tc.getCurrentChildren(base + "/a").keySet().equals(new TreeSet<>(List.of("b", "c"))), "children " + tc.getCurrentChildren(base + "/a").keySet());
      tc.close();
    });
    test("leader-selector", () -> {
      String path = root + "/ls"; AtomicInteger inside = new AtomicInteger(), max = new AtomicInteger(), led = new AtomicInteger();
      List<LeaderSelector> sels = new ArrayList<>(); List<CuratorFramework> cs = new ArrayList<>();
      CountDownLatch done = new CountDownLatch(4);
      for (int i = 0; i < 4; i++) {
        CuratorFramework ci = client(); cs.add(ci);
        LeaderSelector s = new LeaderSelector(ci, path, new LeaderSelectorListenerAdapter() {
          public void takeLeadership(CuratorFramework cf) throws Exception { int n = inside.incrementAndGet(); max.accumulateAndGet(n, Math::max); Thread.sleep(100); inside.decrementAndGet(); led.incrementAndGet(); done.countDown(); }
        });
        sels.add(s); s.start();
      }
      check(done.await(20, TimeUnit.SECONDS), "all led once"); check(max.get() == 1, "max concurrent leaders " + max);
      for (LeaderSelector s : sels) s.close(); for (CuratorFramework ci : cs) ci.close();
    });
    test("leader-latch-failover", () -> {
      String path = root + "/ll"; List<LeaderLatch> ls = new ArrayList<>(); List<CuratorFramework> cs = new ArrayList<>();
      for (int i = 0; i < 3; i++) { CuratorFramework ci = client(); cs.add(ci); LeaderLatch l = new LeaderLatch(ci, path, "p" + i); l.start(); ls.add(l); }
      long end = System.currentTimeMillis() + 10000; LeaderLatch leader = null;
      while (System.currentTimeMillis() < end) { long n = ls.stream().filter(LeaderLatch::hasLeadership).count(); if (n == 1) { leader = ls.stream().filter(LeaderLatch::hasLeadership).findFirst().get(); break; } Thread.sleep(20); }
      check(leader != null, "one leader");
      int idx = ls.indexOf(leader); cs.get(idx).close();
      end = System.currentTimeMillis() + 15000; boolean ok = false;
      while (System.currentTimeMillis() < end) { long n = 0; for (int i = 0; i < 3; i++) if (i != idx && ls.get(i).hasLeadership()) n++; if (n == 1) { ok = true; break; } Thread.sleep(20); }
      check(ok, "a new leader after the old one's session closed");
      check(ls.get((idx + 1) % 3).getParticipants().size() == 2, "2 participants");
      for (int i = 0; i < 3; i++) if (i != idx) { ls.get(i).close(); cs.get(i).close(); }
    });
    test("semaphore-v2", () -> {
      String path = root + "/sem"; AtomicInteger inside = new AtomicInteger(), max = new AtomicInteger();
      ExecutorService ex = Executors.newFixedThreadPool(5); List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 5; t++) fs.add(ex.submit(() -> { CuratorFramework ci = client(); InterProcessSemaphoreV2 s = new InterProcessSemaphoreV2(ci, path, 2);
        for (int k = 0; k < 4; k++) { Lease l = s.acquire(10, TimeUnit.SECONDS); check(l != null, "lease"); int n = inside.incrementAndGet(); max.accumulateAndGet(n, Math::max); Thread.sleep(20); inside.decrementAndGet(); s.returnLease(l); }
        ci.close(); return null; }));
      for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS); ex.shutdown();
      check(max.get() <= 2 && max.get() >= 1, "max leases held " + max);
    });
    test("read-write-lock", () -> {
      String path = root + "/rw"; AtomicInteger readers = new AtomicInteger(), writers = new AtomicInteger(); AtomicBoolean bad = new AtomicBoolean();
      ExecutorService ex = Executors.newFixedThreadPool(4); List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) { final int id = t; fs.add(ex.submit(() -> { CuratorFramework ci = client(); InterProcessReadWriteLock rw = new InterProcessReadWriteLock(ci, path);
        for (int k = 0; k < 5; k++) { boolean w = (id + k) % 3 == 0; InterProcessMutex m = w ? rw.writeLock() : rw.readLock(); check(m.acquire(20, TimeUnit.SECONDS), "acquire");
          if (w) { if (writers.incrementAndGet() != 1 || readers.get() != 0) bad.set(true); Thread.sleep(15); writers.decrementAndGet(); } else { readers.incrementAndGet(); if (writers.get() != 0) bad.set(true); Thread.sleep(15); readers.decrementAndGet(); }
          m.release(); }
        ci.close(); return null; })); }
      for (Future<?> f : fs) f.get(90, TimeUnit.SECONDS); ex.shutdown(); check(!bad.get(), "exclusion");
    });
    test("double-barrier", () -> {
      String path = root + "/db"; ExecutorService ex = Executors.newFixedThreadPool(3); List<Future<Boolean>> fs = new ArrayList<>();
      for (int t = 0; t < 3; t++) fs.add(ex.submit(() -> { CuratorFramework ci = client(); DistributedDoubleBarrier b = new DistributedDoubleBarrier(ci, path, 3); boolean in = b.enter(15, TimeUnit.SECONDS); boolean out = b.leave(15, TimeUnit.SECONDS); ci.close(); return in && out; }));
      for (Future<Boolean> f : fs) check(f.get(40, TimeUnit.SECONDS), "entered and left"); ex.shutdown();
    });
    test("barrier", () -> {
      String path = root + "/b"; DistributedBarrier b = new DistributedBarrier(c, path); b.setBarrier();
      CuratorFramework c2 = client(); DistributedBarrier b2 = new DistributedBarrier(c2, path);
      check(!b2.waitOnBarrier(200, TimeUnit.MILLISECONDS), "blocked while set");
      new Thread(() -> { try { Thread.sleep(200); b.removeBarrier(); } catch (Exception e) { } }).start();
      check(b2.waitOnBarrier(10, TimeUnit.SECONDS), "released"); c2.close();
    });
    test("group-member", () -> {
      String path = root + "/gm"; List<GroupMember> ms = new ArrayList<>(); List<CuratorFramework> cs = new ArrayList<>();
      for (int i = 0; i < 3; i++) { CuratorFramework ci = client(); cs.add(ci); GroupMember m = new GroupMember(ci, path, "m" + i, ("p" + i).getBytes()); m.start(); ms.add(m); }
      long end = System.currentTimeMillis() + 10000;
      while (System.currentTimeMillis() < end && ms.stream().anyMatch(m -> m.getCurrentMembers().size() != 3)) Thread.sleep(20);
      for (GroupMember m : ms) check(m.getCurrentMembers().keySet().equals(Set.of("m0", "m1", "m2")), "members " + m.getCurrentMembers().keySet());
      ms.get(2).close(); cs.get(2).close();
      end = System.currentTimeMillis() + 10000;
      while (System.currentTimeMillis() < end && ms.get(0).getCurrentMembers().size() != 2) Thread.sleep(20);
      check(ms.get(0).getCurrentMembers().keySet().equals(Set.of("m0", "m1")), "after leave " + ms.get(0).getCurrentMembers().keySet());
      for (int i = 0; i < 2; i++) { ms.get(i).close(); cs.get(i).close(); }
    });
    test("shared-value", () -> {
      String path = root + "/sv"; CuratorFramework c2 = client();
      SharedValue v1 = new SharedValue(c, path, "a".getBytes()); SharedValue v2 = new SharedValue(c2, path, "a".getBytes()); v1.start(); v2.start();
      VersionedValue<byte[]> seen = v2.getVersionedValue();
      check(v1.trySetValue(v1.getVersionedValue(), "b".getBytes()), "first set");
      check(!v2.trySetValue(seen, "c".getBytes()), "stale set refused");
      long end = System.currentTimeMillis() + 5000;
      while (System.currentTimeMillis() < end && !new String(v2.getValue()).equals("b")) Thread.sleep(20);
      check(new String(v2.getValue()).equals("b"), "v2 sees b");
      v1.close(); v2.close(); c2.close();
    });
    test("atomic-long", () -> {
      String path = root + "/al"; ExecutorService ex = Executors.newFixedThreadPool(4); List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) fs.add(ex.submit(() -> { CuratorFramework ci = client(); DistributedAtomicLong l = new DistributedAtomicLong(ci, path, new RetryNTimes(1000, 1));
        for (int k = 0; k < 50; k++) check(l.increment().succeeded(), "increment"); ci.close(); return null; }));
      for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS); ex.shutdown();
      check(new DistributedAtomicLong(c, path, new RetryNTimes(3, 10)).get().postValue() == 200L, "200");
    });
    test("protected-ephemeral-sequential", () -> {
      String p = c.create().creatingParentContainersIfNeeded().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(root + "/prot/node-", "x".getBytes());
      check(p.contains("_c_") && p.matches(".*node-\\d{10}$"), "protected name " + p);
      check(c.checkExists().forPath(root + "/prot").getEphemeralOwner() == 0, "container parent");
    });
    test("transaction", () -> {
      String base = root + "/tx"; c.create().forPath(base);
      Collection<CuratorTransactionResult> rs = c.transaction().forOperations(c.transactionOp().create().forPath(base + "/a", "1".getBytes()), c.transactionOp().setData().forPath(base + "/a", "2".getBytes()), c.transactionOp().check().forPath(base));
      check(rs.size() == 3, "3 results");
      try { c.transaction().forOperations(c.transactionOp().create().forPath(base + "/b"), c.transactionOp().delete().withVersion(7).forPath(base + "/a")); check(false, "should fail"); }
      catch (KeeperException.BadVersionException e) { }
      check(c.checkExists().forPath(base + "/b") == null, "rolled back");
    });
    test("persistent-recursive-watch", () -> {
      String base = root + "/pw"; c.create().forPath(base); List<String> seen = Collections.synchronizedList(new ArrayList<>());
      Watcher w = ev -> { if (ev.getType() != Watcher.Event.EventType.None) seen.add(ev.getType() + " " + ev.getPath().substring(base.length())); };
      c.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(w).forPath(base);
      c.create().forPath(base + "/x"); c.create().forPath(base + "/x/y"); c.setData().forPath(base + "/x/y", "1".getBytes()); c.delete().forPath(base + "/x/y");
      long end = System.currentTimeMillis() + 5000; while (System.currentTimeMillis() < end && seen.size() < 4) Thread.sleep(20);
      check(seen.equals(List.of("NodeCreated /x", "NodeCreated /x/y", "NodeDataChanged /x/y", "NodeDeleted /x/y")), "events " + seen);
      c.watchers().remove(w).ofType(Watcher.WatcherType.Any).forPath(base);
      c.create().forPath(base + "/z");
      // The client itself tells the watcher it was removed (type PersistentWatchRemoved); nothing about /z may follow.
      end = System.currentTimeMillis() + 5000; while (System.currentTimeMillis() < end && seen.size() < 5) Thread.sleep(20);
      Thread.sleep(300);
      check(seen.size() == 5 && seen.get(4).startsWith("PersistentWatchRemoved"), "after removal " + seen);
    });
    test("node-cache-and-path-children-cache", () -> {
      String base = root + "/nc"; c.create().forPath(base, "0".getBytes());
      NodeCache nc = new NodeCache(c, base); nc.start(true);
      PathChildrenCache pcc = new PathChildrenCache(c, base, true); pcc.start(PathChildrenCache.StartMode.BUILD_INITIAL_CACHE);
      c.setData().forPath(base, "1".getBytes()); c.create().forPath(base + "/k", "v".getBytes());
      long end = System.currentTimeMillis() + 5000;
      while (System.currentTimeMillis() < end && (nc.getCurrentData() == null || !new String(nc.getCurrentData().getData()).equals("1") || pcc.getCurrentData().size() != 1)) Thread.sleep(20);
      check(new String(nc.getCurrentData().getData()).equals("1"), "node cache"); check(pcc.getCurrentData().size() == 1, "children cache");
      nc.close(); pcc.close();
    });
    test("queue", () -> {
      String path = root + "/q"; List<String> got = Collections.synchronizedList(new ArrayList<>());
      org.apache.curator.framework.recipes.queue.DistributedQueue<String> q = org.apache.curator.framework.recipes.queue.QueueBuilder.builder(c, new org.apache.curator.framework.recipes.queue.QueueConsumer<String>() {
        public void consumeMessage(String m) { got.add(m); } public void stateChanged(CuratorFramework cf, org.apache.curator.framework.state.ConnectionState s) { } },
        new org.apache.curator.framework.recipes.queue.QueueSerializer<String>() { public byte[] serialize(String s) { return s.getBytes(); } public String deserialize(byte[] b) { return new String(b); } }, path).buildQueue();
      q.start(); for (int i = 0; i < 10; i++) q.put("m" + i);
      long end = System.currentTimeMillis() + 10000; while (System.currentTimeMillis() < end && got.size() < 10) Thread.sleep(20);
      List<String> want = new ArrayList<>(); for (int i = 0; i < 10; i++) want.add("m" + i);
      check(got.equals(want), "fifo " + got); q.close();
    });
    test("persistent-node", () -> {
      String path = root + "/pn/member"; CuratorFramework c2 = client();
      PersistentNode pn = new PersistentNode(c2, CreateMode.EPHEMERAL, false, path, "here".getBytes());
      pn.start(); check(pn.waitForInitialCreate(10, TimeUnit.SECONDS), "created");
      long owner = c.checkExists().forPath(path).getEphemeralOwner();
      check(owner == c2.getZookeeperClient().getZooKeeper().getSessionId(), "owned by its session");
      c.delete().forPath(path);
      long end = System.currentTimeMillis() + 10000; while (System.currentTimeMillis() < end && c.checkExists().forPath(path) == null) Thread.sleep(20);
      check(c.checkExists().forPath(path) != null, "created again after a delete");
      pn.close(); c2.close();
      end = System.currentTimeMillis() + 10000; while (System.currentTimeMillis() < end && c.checkExists().forPath(path) != null) Thread.sleep(20);
      check(c.checkExists().forPath(path) == null, "gone with its session");
    });
    test("semaphore-mutex-and-multi-lock", () -> {
      String base = root + "/ml"; CuratorFramework c2 = client();
      InterProcessMultiLock multi = new InterProcessMultiLock(c, List.of(base + "/l1", base + "/l2"));
      // A multi lock of paths is an InterProcessMutex on each, so only that recipe contends with it.
      InterProcessMutex b = new InterProcessMutex(c2, base + "/l2");
      InterProcessSemaphoreMutex s = new InterProcessSemaphoreMutex(c2, base + "/s");
      check(s.acquire(10, TimeUnit.SECONDS), "semaphore mutex");
      check(!new InterProcessSemaphoreMutex(c, base + "/s").acquire(300, TimeUnit.MILLISECONDS), "semaphore mutex held");
      s.release();
      check(multi.acquire(10, TimeUnit.SECONDS), "multi lock");
      check(!b.acquire(300, TimeUnit.MILLISECONDS), "l2 held by the multi lock");
      multi.release();
      check(b.acquire(10, TimeUnit.SECONDS), "l2 free after release"); b.release(); c2.close();
    });
    test("cleanup", () -> c.delete().deletingChildrenIfNeeded().forPath(root));
    c.close();
    System.out.println("DONE " + failures + " failed");
    System.exit(failures == 0 ? 0 : 1);
  }
}
