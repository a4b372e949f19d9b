// A counter kept in one znode and incremented under Curator's InterProcessMutex by several
// sessions, each read-modify-write done without a version: only the lock keeps increments from
// being lost. Run while servers fail (test/interop/curator-failover.test.ts), it checks what a
// Curator user relies on across a failover: a session that outlives the failover keeps its lock,
// and a waiter that learns of a release reads the holder's write, wherever each is connected.
//
// Usage: CuratorLockCounter <connect> <path> <threads> <increments per thread>
// Prints PROGRESS <n> every 20 increments, then DONE increments=<n> value=<v>.
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;

public class CuratorLockCounter {
  public static void main(String[] args) throws Exception {
    String connect = args[0];
    String path = args[1];
    int threads = Integer.parseInt(args[2]);
    int perThread = Integer.parseInt(args[3]);
    AtomicInteger done = new AtomicInteger();
    List<Throwable> errors = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    CuratorFramework setup = client(connect);
    setup.create().orSetData().creatingParentsIfNeeded().forPath(path + "/counter", "0".getBytes(StandardCharsets.UTF_8));
    System.out.println("READY");
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try (CuratorFramework c = client(connect)) {
          InterProcessMutex lock = new InterProcessMutex(c, path + "/lock");
          for (int i = 0; i < perThread; i++) {
            if (!lock.acquire(60, TimeUnit.SECONDS)) throw new IllegalStateException("lock not acquired in 60 s");
            try {
              int v = Integer.parseInt(new String(c.getData().forPath(path + "/counter"), StandardCharsets.UTF_8));
              c.setData().forPath(path + "/counter", Integer.toString(v + 1).getBytes(StandardCharsets.UTF_8));
            } finally {
              lock.release();
            }
            int n = done.incrementAndGet();
            if (n % 20 == 0) System.out.println("PROGRESS " + n);
          }
        } catch (Throwable e) {
          synchronized (errors) {
            errors.add(e);
          }
          e.printStackTrace();
        }
      });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) w.join();
    int value = Integer.parseInt(new String(setup.getData().forPath(path + "/counter"), StandardCharsets.UTF_8));
    System.out.println("DONE increments=" + done.get() + " value=" + value + " errors=" + errors.size());
    setup.close();
    System.exit(errors.isEmpty() ? 0 : 1);
  }

  /** Sessions that outlive a failover; operations retried for up to 30 s while none serves. */
  static CuratorFramework client(String connect) throws InterruptedException {
    CuratorFramework c = CuratorFrameworkFactory.builder()
        .connectString(connect)
        .sessionTimeoutMs(20000)
        .connectionTimeoutMs(3000)
        .retryPolicy(new RetryNTimes(150, 200))
        .build();
    c.start();
    if (!c.blockUntilConnected(15, TimeUnit.SECONDS)) throw new IllegalStateException("not connected in 15 s");
    return c;
  }
}
