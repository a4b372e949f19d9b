// The Java side of the interop tests and of the benchmark against Curator: Apache Curator's own
// recipes (Debian's libcurator-*-java 5.x on ZooKeeper 3.8's client), driven by commands on
// stdin, reporting on stdout one line per event. Compiled with javac at test time.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.queue.DistributedPriorityQueue;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

public class CuratorPeer {
    static void out(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    static CuratorFramework client(String connect, int sessionTimeoutMs) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.newClient(
                connect, sessionTimeoutMs, 10_000, new ExponentialBackoffRetry(100, 10));
        c.start();
        if (!c.blockUntilConnected(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected");
        return c;
    }

    static final QueueSerializer<String> STRINGS = new QueueSerializer<String>() {
        public byte[] serialize(String item) {
            return item.getBytes(StandardCharsets.UTF_8);
        }

        public String deserialize(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String connect = args[1];
        switch (mode) {
            case "mutex" -> mutex(connect, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5]);
            case "latch" -> latch(connect, args[2], args[3]);
            case "discovery" -> discovery(connect, args[2]);
            case "formats-write" -> formatsWrite(connect, args[2]);
            case "formats-read" -> formatsRead(connect, args[2]);
            case "bench-lock" -> benchLock(connect, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "bench-leader" -> benchLeader(connect, args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        System.exit(0);
    }

    /**
     * Takes the lock `iterations` times. While holding it, creates the ephemeral `holderPath`
     * (NodeExists means someone else holds the lock too: printed as "overlap") and appends
     * `<logPath>/java-` so the order of holders can be read back.
     */
    static void mutex(String connect, String lockPath, int iterations, int holdMs, String base) throws Exception {
        CuratorFramework c = client(connect, 10_000);
        InterProcessMutex lock = new InterProcessMutex(c, lockPath);
        out("ready");
        int overlaps = 0;
        for (int i = 0; i < iterations; i++) {
            lock.acquire();
            try {
                try {
                    c.create().withMode(CreateMode.EPHEMERAL).forPath(base + "/holder", "java".getBytes());
                } catch (KeeperException.NodeExistsException e) {
                    overlaps++;
                    out("overlap");
                }
                c.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(base + "/log/java-");
                Thread.sleep(holdMs);
                c.delete().forPath(base + "/holder");
            } finally {
                lock.release();
            }
        }
        out("done " + iterations + " overlaps " + overlaps);
        c.close();
    }

    /** A LeaderLatch; stdin: "close", "participants", "exit". */
    static void latch(String connect, String path, String id) throws Exception {
        CuratorFramework c = client(connect, 10_000);
        LeaderLatch latch = new LeaderLatch(c, path, id);
        latch.addListener(new LeaderLatchListener() {
            public void isLeader() {
                out("leader");
            }

            public void notLeader() {
                out("notleader");
            }
        });
        latch.start();
        out("started");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "close" -> {
                    latch.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
                    out("closed");
                }
                case "participants" -> {
                    StringBuilder s = new StringBuilder("participants");
                    for (Participant p : latch.getParticipants()) s.append(' ').append(p.getId()).append(p.isLeader() ? "*" : "");
                    out(s.toString());
                }
                case "exit" -> {
                    c.close();
                    return;
                }
                default -> out("unknown " + line);
            }
        }
    }

    /** Curator service discovery; stdin: "register <name> <id> <address> <port>", "list <name>", "exit". */
    static void discovery(String connect, String basePath) throws Exception {
        CuratorFramework c = client(connect, 10_000);
        ServiceDiscovery<Object> discovery = ServiceDiscoveryBuilder.builder(Object.class)
                .client(c)
                .basePath(basePath)
                .build();
        discovery.start();
        out("started");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split(" ");
            switch (w[0]) {
                case "register" -> {
                    ServiceInstance<Object> instance = ServiceInstance.builder()
                            .name(w[1])
                            .id(w[2])
                            .address(w[3])
                            .port(Integer.parseInt(w[4]))
                            .payload(Map.of("lang", "java"))
                            .build();
                    discovery.registerService(instance);
                    out("registered " + w[2]);
                }
                case "list" -> {
                    Collection<ServiceInstance<Object>> all = discovery.queryForInstances(w[1]);
                    List<String> items = new ArrayList<>();
                    for (ServiceInstance<Object> i : all) {
                        items.add(i.getId() + "@" + i.getAddress() + ":" + i.getPort() + "/" + i.getServiceType()
                                + "/" + i.getPayload());
                    }
                    items.sort(null);
                    out("instances " + String.join(" ", items));
                }
                case "exit" -> {
                    discovery.close();
                    c.close();
                    return;
                }
                default -> out("unknown " + line);
            }
        }
    }

    /** Writes what the TypeScript side reads: a shared count, an atomic long, queue messages. */
    static void formatsWrite(String connect, String base) throws Exception {
        CuratorFramework c = client(connect, 10_000);
        SharedCount count = new SharedCount(c, base + "/count", 0);
        count.start();
        count.setCount(-42);
        count.close();
        DistributedAtomicLong along = new DistributedAtomicLong(c, base + "/long", new RetryNTimes(10, 10));
        along.add(1L << 40);
        along.increment();
        DistributedQueue<String> queue = QueueBuilder.builder(c, null, STRINGS, base + "/queue").buildQueue();
        queue.start();
        queue.put("j1");
        queue.putMulti(new org.apache.curator.framework.recipes.queue.MultiItem<String>() {
            final String[] items = {"j2", "j3"};
            int at = 0;

            public String nextItem() {
                return at < items.length ? items[at++] : null;
            }
        });
        queue.close();
        DistributedPriorityQueue<String> prio = QueueBuilder.builder(c, null, STRINGS, base + "/prio").buildPriorityQueue(0);
        prio.start();
        prio.put("p5", 5);
        prio.put("p-3", -3);
        prio.close();
        out("written");
        c.close();
    }

    /** Reads what the TypeScript side wrote: the same kinds, printed on one line each. */
    static void formatsRead(String connect, String base) throws Exception {
        CuratorFramework c = client(connect, 10_000);
        SharedCount count = new SharedCount(c, base + "/count", 0);
        count.start();
        out("count " + count.getCount());
        count.close();
        DistributedAtomicLong along = new DistributedAtomicLong(c, base + "/long", new RetryNTimes(10, 10));
        out("long " + along.get().postValue());
        List<String> got = new ArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        QueueConsumer<String> consumer = new QueueConsumer<String>() {
            public void consumeMessage(String message) {
                synchronized (got) {
                    got.add(message);
                }
                three.countDown();
            }

            public void stateChanged(CuratorFramework client, ConnectionState newState) {}
        };
        DistributedQueue<String> queue = QueueBuilder.builder(c, consumer, STRINGS, base + "/queue").buildQueue();
        queue.start();
        if (!three.await(20, TimeUnit.SECONDS)) out("queue timeout");
        synchronized (got) {
            out("queue " + String.join(" ", got));
        }
        queue.close();
        c.close();
    }

    /** `contenders` clients (each its own session) take and release one lock for `durationMs`. */
    static void benchLock(String connect, String path, int contenders, int durationMs) throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        for (int i = 0; i < contenders; i++) clients.add(client(connect, 10_000));
        AtomicLong ops = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        // Warm-up: one round each, so class loading and JIT do not count.
        for (CuratorFramework c : clients) {
            InterProcessMutex m = new InterProcessMutex(c, path);
            m.acquire();
            m.release();
        }
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (CuratorFramework c : clients) {
            Thread t = new Thread(() -> {
                InterProcessMutex m = new InterProcessMutex(c, path);
                try {
                    while (System.nanoTime() < deadline) {
                        m.acquire();
                        m.release();
                        ops.incrementAndGet();
                    }
                } catch (Exception e) {
                    out("error " + e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        out("ops " + ops.get() + " seconds " + seconds);
        for (CuratorFramework c : clients) c.close();
    }

    /** A LeaderLatch for the hand-over benchmark: prints "leader <epoch ms>"; stdin "close" closes it. */
    static void benchLeader(String connect, String path, int sessionTimeoutMs) throws Exception {
        CuratorFramework c = client(connect, sessionTimeoutMs);
        LeaderLatch latch = new LeaderLatch(c, path);
        latch.addListener(new LeaderLatchListener() {
            public void isLeader() {
                out("leader " + System.currentTimeMillis());
            }

            public void notLeader() {}
        });
        latch.start();
        out("started");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.trim().equals("close")) {
                latch.close();
                out("closed " + System.currentTimeMillis());
            } else if (line.trim().equals("exit")) {
                c.close();
                return;
            }
        }
    }
}
