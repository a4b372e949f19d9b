// Apache Curator's own recipes, run as a user would run them, against one connect string: caches
// (CuratorCache, TreeCache, NodeCache, PathChildrenCache), leader election (LeaderSelector,
// LeaderLatch with a failover), locks (semaphores, read-write, multi), barriers, group
// membership, shared values, atomic longs, protected ephemeral-sequential names under container
// parents, transactions, persistent recursive watches and their removal, PersistentNode and
// DistributedQueue. Each prints `PASS <name>` or `FAIL <name>: <why>`, then `DONE <n> failed`.
// test/interop/curator-recipes.test.ts runs it against Paddock and against ZooKeeper 3.8, whose
// passing keeps these expectations honest.
//
// Usage: CuratorRecipes <connect>
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.NodeCache;
import org.apache.curator.framework.recipes.cache.PathChildrenCache;
import org.apache.curator.framework.recipes.cache.TreeCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.locks.InterProcessMultiLock;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.nodes.GroupMember;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.shared.SharedValue;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;

public class CuratorRecipes {
  private static String connect;
  private static String root;
  /** The session most recipes share; others open their own where sessions must differ. */
  private static CuratorFramework c;
  private static int failures = 0;

  interface Body {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    connect = args[0];
    root = "/recipes-" + System.currentTimeMillis();
    c = client();
    test("curator-cache", CuratorRecipes::curatorCache);
    test("tree-cache", CuratorRecipes::treeCache);
    test("leader-selector", CuratorRecipes::leaderSelector);
    test("leader-latch-failover", CuratorRecipes::leaderLatchFailover);
    test("semaphore-v2", CuratorRecipes::semaphoreV2);
    test("read-write-lock", CuratorRecipes::readWriteLock);
    test("double-barrier", CuratorRecipes::doubleBarrier);
    test("barrier", CuratorRecipes::barrier);
    test("group-member", CuratorRecipes::groupMember);
    test("shared-value", CuratorRecipes::sharedValue);
    test("atomic-long", CuratorRecipes::atomicLong);
    test("protected-ephemeral-sequential", CuratorRecipes::protectedEphemeralSequential);
    test("transaction", CuratorRecipes::transaction);
    test("persistent-recursive-watch", CuratorRecipes::persistentRecursiveWatch);
    test("node-cache-and-path-children-cache", CuratorRecipes::nodeAndChildrenCaches);
    test("queue", CuratorRecipes::queue);
    test("persistent-node", CuratorRecipes::persistentNode);
    test("semaphore-mutex-and-multi-lock", CuratorRecipes::semaphoreMutexAndMultiLock);
    test("cleanup", () -> c.delete().deletingChildrenIfNeeded().forPath(root));
    c.close();
    System.out.println("DONE " + failures + " failed");
    System.exit(failures == 0 ? 0 : 1);
  }

  static void curatorCache() throws Exception {
    String base = root + "/cc";
    c.create().creatingParentsIfNeeded().forPath(base);
    AtomicInteger created = new AtomicInteger();
    AtomicInteger changed = new AtomicInteger();
    AtomicInteger deleted = new AtomicInteger();
    CountDownLatch initialized = new CountDownLatch(1);
    try (CuratorCache cache = CuratorCache.build(c, base)) {
      cache.listenable().addListener(CuratorCacheListener.builder()
          .forCreates(n -> created.incrementAndGet())
          .forChanges((before, after) -> changed.incrementAndGet())
          .forDeletes(n -> deleted.incrementAndGet())
          .forInitialized(initialized::countDown)
          .build());
      cache.start();
      check(initialized.await(10, TimeUnit.SECONDS), "initialized");
      for (int i = 0; i < 20; i++) c.create().creatingParentsIfNeeded().forPath(node(base, i), bytes("v" + i));
      for (int i = 0; i < 20; i += 2) c.setData().forPath(node(base, i), bytes("x"));
      for (int i = 1; i < 20; i += 4) c.delete().forPath(node(base, i));
      // The root was there before the cache started: its initial load counts as a create.
      waitUntil(() -> created.get() >= 25 && changed.get() >= 10 && deleted.get() >= 5, 10_000);
      check(created.get() == 25 && changed.get() == 10 && deleted.get() == 5,
          "events: created " + created + ", changed " + changed + ", deleted " + deleted);
      check(cache.size() == 1 + 4 + 15, "cache size " + cache.size());
    }
  }

  /** The i-th of 20 nodes, spread over four parents. */
  private static String node(String base, int i) {
    return base + "/d" + (i % 4) + "/n" + i;
  }

  static void treeCache() throws Exception {
    String base = root + "/tc";
    c.create().creatingParentsIfNeeded().forPath(base + "/a/b", bytes("1"));
    CountDownLatch initialized = new CountDownLatch(1);
    try (TreeCache cache = TreeCache.newBuilder(c, base).build()) {
      cache.getListenable().addListener((client, event) -> {
        if (event.getType() == org.apache.curator.framework.recipes.cache.TreeCacheEvent.Type.INITIALIZED)
          initialized.countDown();
      });
      cache.start();
      check(initialized.await(10, TimeUnit.SECONDS), "initialized");
      c.create().forPath(base + "/a/c", bytes("2"));
      waitUntil(() -> cache.getCurrentData(base + "/a/c") != null, 5_000);
      check(text(cache.getCurrentData(base + "/a/c").getData()).equals("2"), "a/c seen with its data");
      Set<String> children = cache.getCurrentChildren(base + "/a").keySet();
      check(children.equals(new TreeSet<>(List.of("b", "c"))), "children " + children);
    }
  }

  static void leaderSelector() throws Exception {
    String path = root + "/ls";
    AtomicInteger leading = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    CountDownLatch eachLed = new CountDownLatch(4);
    List<LeaderSelector> selectors = new ArrayList<>();
    List<CuratorFramework> sessions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      CuratorFramework session = client();
      sessions.add(session);
      LeaderSelector selector = new LeaderSelector(session, path, new LeaderSelectorListenerAdapter() {
        @Override
        public void takeLeadership(CuratorFramework client) throws Exception {
          mostAtOnce.accumulateAndGet(leading.incrementAndGet(), Math::max);
          Thread.sleep(100);
          leading.decrementAndGet();
          eachLed.countDown();
        }
      });
      selectors.add(selector);
      selector.start();
    }
    check(eachLed.await(20, TimeUnit.SECONDS), "each participant led once");
    check(mostAtOnce.get() == 1, "leaders at once: " + mostAtOnce);
    for (LeaderSelector s : selectors) s.close();
    for (CuratorFramework s : sessions) s.close();
  }

  static void leaderLatchFailover() throws Exception {
    String path = root + "/ll";
    List<LeaderLatch> latches = new ArrayList<>();
    List<CuratorFramework> sessions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CuratorFramework session = client();
      sessions.add(session);
      LeaderLatch latch = new LeaderLatch(session, path, "p" + i);
      latch.start();
      latches.add(latch);
    }
    waitUntil(() -> leaders(latches, -1) == 1, 10_000);
    check(leaders(latches, -1) == 1, "one leader");
    int old = 0;
    while (!latches.get(old).hasLeadership()) old++;
    sessions.get(old).close();
    final int gone = old;
    waitUntil(() -> leaders(latches, gone) == 1, 15_000);
    check(leaders(latches, gone) == 1, "a new leader once the old one's session closed");
    // Each latch reads through its own session, whose server may not yet have applied the close
    // that the new leader's server has.
    LeaderLatch other = latches.get((old + 1) % 3);
    waitUntil(() -> participants(other) == 2, 5_000);
    check(participants(other) == 2, "two participants left");
    for (int i = 0; i < 3; i++) {
      if (i == old) continue;
      latches.get(i).close();
      sessions.get(i).close();
    }
  }

  private static int participants(LeaderLatch latch) {
    try {
      return latch.getParticipants().size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** How many latches but `except` lead. */
  private static long leaders(List<LeaderLatch> latches, int except) {
    long n = 0;
    for (int i = 0; i < latches.size(); i++) if (i != except && latches.get(i).hasLeadership()) n++;
    return n;
  }

  static void semaphoreV2() throws Exception {
    String path = root + "/sem";
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    inSessions(5, 60, (session, index) -> {
      InterProcessSemaphoreV2 semaphore = new InterProcessSemaphoreV2(session, path, 2);
      for (int k = 0; k < 4; k++) {
        Lease lease = semaphore.acquire(10, TimeUnit.SECONDS);
        check(lease != null, "a lease within 10 s");
        mostAtOnce.accumulateAndGet(holding.incrementAndGet(), Math::max);
        Thread.sleep(20);
        holding.decrementAndGet();
        semaphore.returnLease(lease);
      }
    });
    check(mostAtOnce.get() >= 1 && mostAtOnce.get() <= 2, "leases held at once: " + mostAtOnce);
  }

  static void readWriteLock() throws Exception {
    String path = root + "/rw";
    AtomicInteger readers = new AtomicInteger();
    AtomicInteger writers = new AtomicInteger();
    AtomicBoolean overlapped = new AtomicBoolean();
    inSessions(4, 90, (session, index) -> {
      InterProcessReadWriteLock lock = new InterProcessReadWriteLock(session, path);
      for (int k = 0; k < 5; k++) {
        boolean write = (index + k) % 3 == 0;
        InterProcessMutex mutex = write ? lock.writeLock() : lock.readLock();
        check(mutex.acquire(20, TimeUnit.SECONDS), "acquired within 20 s");
        if (write) {
          if (writers.incrementAndGet() != 1 || readers.get() != 0) overlapped.set(true);
          Thread.sleep(15);
          writers.decrementAndGet();
        } else {
          readers.incrementAndGet();
          if (writers.get() != 0) overlapped.set(true);
          Thread.sleep(15);
          readers.decrementAndGet();
        }
        mutex.release();
      }
    });
    check(!overlapped.get(), "a writer never overlapped a reader or another writer");
  }

  static void doubleBarrier() throws Exception {
    String path = root + "/db";
    inSessions(3, 40, (session, index) -> {
      DistributedDoubleBarrier barrier = new DistributedDoubleBarrier(session, path, 3);
      check(barrier.enter(15, TimeUnit.SECONDS), "entered");
      check(barrier.leave(15, TimeUnit.SECONDS), "left");
    });
  }

  static void barrier() throws Exception {
    String path = root + "/b";
    DistributedBarrier setter = new DistributedBarrier(c, path);
    setter.setBarrier();
    try (CuratorFramework session = client()) {
      DistributedBarrier waiter = new DistributedBarrier(session, path);
      check(!waiter.waitOnBarrier(200, TimeUnit.MILLISECONDS), "blocked while the barrier is set");
      Thread remover = new Thread(() -> {
        try {
          Thread.sleep(200);
          setter.removeBarrier();
        } catch (Exception e) {
          e.printStackTrace();
        }
      });
      remover.start();
      check(waiter.waitOnBarrier(10, TimeUnit.SECONDS), "released once removed");
      remover.join();
    }
  }

  static void groupMember() throws Exception {
    String path = root + "/gm";
    List<GroupMember> members = new ArrayList<>();
    List<CuratorFramework> sessions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CuratorFramework session = client();
      sessions.add(session);
      GroupMember member = new GroupMember(session, path, "m" + i, bytes("p" + i));
      member.start();
      members.add(member);
    }
    waitUntil(() -> members.stream().allMatch(m -> m.getCurrentMembers().size() == 3), 10_000);
    for (GroupMember m : members) {
      Set<String> seen = m.getCurrentMembers().keySet();
      check(seen.equals(Set.of("m0", "m1", "m2")), "members " + seen);
    }
    members.get(2).close();
    sessions.get(2).close();
    waitUntil(() -> members.get(0).getCurrentMembers().size() == 2, 10_000);
    Set<String> left = members.get(0).getCurrentMembers().keySet();
    check(left.equals(Set.of("m0", "m1")), "members after one left " + left);
    for (int i = 0; i < 2; i++) {
      members.get(i).close();
      sessions.get(i).close();
    }
  }

  static void sharedValue() throws Exception {
    String path = root + "/sv";
    try (CuratorFramework session = client();
        SharedValue mine = new SharedValue(c, path, bytes("a"));
        SharedValue theirs = new SharedValue(session, path, bytes("a"))) {
      mine.start();
      theirs.start();
      VersionedValue<byte[]> stale = theirs.getVersionedValue();
      check(mine.trySetValue(mine.getVersionedValue(), bytes("b")), "the first set");
      check(!theirs.trySetValue(stale, bytes("c")), "a set at a stale version is refused");
      waitUntil(() -> text(theirs.getValue()).equals("b"), 5_000);
      check(text(theirs.getValue()).equals("b"), "the other session sees b");
    }
  }

  static void atomicLong() throws Exception {
    String path = root + "/al";
    inSessions(4, 60, (session, index) -> {
      DistributedAtomicLong counter = new DistributedAtomicLong(session, path, new RetryNTimes(1000, 1));
      for (int k = 0; k < 50; k++) check(counter.increment().succeeded(), "an increment");
    });
    syncShared(path);
    long value = new DistributedAtomicLong(c, path, new RetryNTimes(3, 10)).get().postValue();
    check(value == 200L, "200 increments, found " + value);
  }

  static void protectedEphemeralSequential() throws Exception {
    String created = c.create()
        .creatingParentContainersIfNeeded()
        .withProtection()
        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
        .forPath(root + "/prot/node-", bytes("x"));
    check(created.contains("_c_") && created.matches(".*node-\\d{10}$"), "protected name " + created);
    check(c.checkExists().forPath(root + "/prot").getEphemeralOwner() == 0, "a container parent");
  }

  static void transaction() throws Exception {
    String base = root + "/tx";
    c.create().forPath(base);
    Collection<CuratorTransactionResult> results = c.transaction().forOperations(
        c.transactionOp().create().forPath(base + "/a", bytes("1")),
        c.transactionOp().setData().forPath(base + "/a", bytes("2")),
        c.transactionOp().check().forPath(base));
    check(results.size() == 3, "three results");
    try {
      c.transaction().forOperations(
          c.transactionOp().create().forPath(base + "/b"),
          c.transactionOp().delete().withVersion(7).forPath(base + "/a"));
      check(false, "a transaction with a bad version fails");
    } catch (KeeperException.BadVersionException expected) {
      // The create before it is rolled back, checked below.
    }
    check(c.checkExists().forPath(base + "/b") == null, "rolled back");
  }

  static void persistentRecursiveWatch() throws Exception {
    String base = root + "/pw";
    c.create().forPath(base);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    Watcher watcher = event -> {
      if (event.getType() != Watcher.Event.EventType.None)
        seen.add(event.getType() + " " + event.getPath().substring(base.length()));
    };
    c.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(watcher).forPath(base);
    c.create().forPath(base + "/x");
    c.create().forPath(base + "/x/y");
    c.setData().forPath(base + "/x/y", bytes("1"));
    c.delete().forPath(base + "/x/y");
    waitUntil(() -> seen.size() >= 4, 5_000);
    check(seen.equals(List.of("NodeCreated /x", "NodeCreated /x/y", "NodeDataChanged /x/y", "NodeDeleted /x/y")),
        "events " + seen);
    c.watchers().remove(watcher).ofType(Watcher.WatcherType.Any).forPath(base);
    c.create().forPath(base + "/z");
    // The client itself tells the watcher it was removed; nothing about /z may follow.
    waitUntil(() -> seen.size() >= 5, 5_000);
    Thread.sleep(300);
    check(seen.size() == 5 && seen.get(4).startsWith("PersistentWatchRemoved"), "after removal " + seen);
  }

  static void nodeAndChildrenCaches() throws Exception {
    String base = root + "/nc";
    c.create().forPath(base, bytes("0"));
    try (NodeCache nodeCache = new NodeCache(c, base);
        PathChildrenCache childrenCache = new PathChildrenCache(c, base, true)) {
      nodeCache.start(true);
      childrenCache.start(PathChildrenCache.StartMode.BUILD_INITIAL_CACHE);
      c.setData().forPath(base, bytes("1"));
      c.create().forPath(base + "/k", bytes("v"));
      waitUntil(() -> nodeCache.getCurrentData() != null
          && text(nodeCache.getCurrentData().getData()).equals("1")
          && childrenCache.getCurrentData().size() == 1, 5_000);
      check(text(nodeCache.getCurrentData().getData()).equals("1"), "the node cache has the new data");
      check(childrenCache.getCurrentData().size() == 1, "the children cache has the child");
    }
  }

  static void queue() throws Exception {
    List<String> consumed = Collections.synchronizedList(new ArrayList<>());
    QueueConsumer<String> consumer = new QueueConsumer<>() {
      @Override
      public void consumeMessage(String message) {
        consumed.add(message);
      }

      @Override
      public void stateChanged(CuratorFramework client, ConnectionState state) {}
    };
    QueueSerializer<String> serializer = new QueueSerializer<>() {
      @Override
      public byte[] serialize(String s) {
        return bytes(s);
      }

      @Override
      public String deserialize(byte[] b) {
        return text(b);
      }
    };
    try (DistributedQueue<String> queue = QueueBuilder.builder(c, consumer, serializer, root + "/q").buildQueue()) {
      queue.start();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sent.add("m" + i);
        queue.put("m" + i);
      }
      waitUntil(() -> consumed.size() >= 10, 10_000);
      check(consumed.equals(sent), "consumed in order " + consumed);
    }
  }

  static void persistentNode() throws Exception {
    String path = root + "/pn/member";
    try (CuratorFramework session = client()) {
      PersistentNode node = new PersistentNode(session, CreateMode.EPHEMERAL, false, path, bytes("here"));
      node.start();
      check(node.waitForInitialCreate(10, TimeUnit.SECONDS), "created");
      syncShared(path);
      long owner = c.checkExists().forPath(path).getEphemeralOwner();
      check(owner == session.getZookeeperClient().getZooKeeper().getSessionId(), "owned by its session");
      c.delete().forPath(path);
      waitUntil(() -> exists(path), 10_000);
      check(exists(path), "created again after a delete");
      node.close();
    }
    waitUntil(() -> !exists(path), 10_000);
    check(!exists(path), "gone with its session");
  }

  static void semaphoreMutexAndMultiLock() throws Exception {
    String base = root + "/ml";
    try (CuratorFramework session = client()) {
      // A multi lock of paths is an InterProcessMutex on each, so only that recipe contends with it.
      InterProcessMultiLock multi = new InterProcessMultiLock(c, List.of(base + "/l1", base + "/l2"));
      InterProcessMutex second = new InterProcessMutex(session, base + "/l2");
      check(multi.acquire(10, TimeUnit.SECONDS), "the multi lock");
      check(!second.acquire(300, TimeUnit.MILLISECONDS), "l2 is held by the multi lock");
      multi.release();
      check(second.acquire(10, TimeUnit.SECONDS), "l2 is free after the release");
      second.release();
      InterProcessSemaphoreMutex held = new InterProcessSemaphoreMutex(session, base + "/s");
      check(held.acquire(10, TimeUnit.SECONDS), "the semaphore mutex");
      check(!new InterProcessSemaphoreMutex(c, base + "/s").acquire(300, TimeUnit.MILLISECONDS),
          "the semaphore mutex is held");
      held.release();
    }
  }

  // --- the harness ---

  interface SessionBody {
    void run(CuratorFramework session, int index) throws Exception;
  }

  /** Runs `body` in `count` threads, each with a session of its own, and waits for all of them. */
  private static void inSessions(int count, int timeoutSeconds, SessionBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      List<Future<Void>> runs = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        final int index = i;
        Callable<Void> run = () -> {
          try (CuratorFramework session = client()) {
            body.run(session, index);
          }
          return null;
        };
        runs.add(pool.submit(run));
      }
      for (Future<Void> run : runs) run.get(timeoutSeconds, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  private static CuratorFramework client() throws Exception {
    CuratorFramework session = CuratorFrameworkFactory.builder()
        .connectString(connect)
        .sessionTimeoutMs(10_000)
        .connectionTimeoutMs(5_000)
        .retryPolicy(new RetryNTimes(10, 200))
        .build();
    session.start();
    if (!session.blockUntilConnected(10, TimeUnit.SECONDS)) throw new IllegalStateException("not connected in 10 s");
    return session;
  }

  private static void test(String name, Body body) {
    long startNs = System.nanoTime();
    try {
      body.run();
      System.out.println("PASS " + name + " (" + (System.nanoTime() - startNs) / 1_000_000 + " ms)");
    } catch (Throwable e) {
      failures++;
      System.out.println("FAIL " + name + ": " + e);
      e.printStackTrace();
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  /** Polls `condition` until it holds or `timeoutMs` passes; the check after it says which. */
  private static void waitUntil(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline && !condition.getAsBoolean()) Thread.sleep(20);
  }

  /**
   * Brings the shared session's server up to date before it reads what other sessions wrote:
   * as in ZooKeeper, a read on one server need not see a write just committed through another.
   */
  private static void syncShared(String path) throws Exception {
    CountDownLatch synced = new CountDownLatch(1);
    c.sync().inBackground((client, event) -> synced.countDown()).forPath(path);
    check(synced.await(10, TimeUnit.SECONDS), "synced " + path);
  }

  private static boolean exists(String path) {
    try {
      return c.checkExists().forPath(path) != null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
