package org.apache.curator.test;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;

/**
 * Curator's tests start their servers through this class (curator-test picks it when ZooKeeper
 * has ZooKeeperServerEmbedded, as 3.8 does). This one, first on the classpath of the Paddock
 * runs only, starts `node paddock-server.mjs start-foreground zoo.cfg` on the configuration
 * Curator builds, where Curator's own starts an embedded ZooKeeper in the test's JVM.
 *
 * The embedded server shares the test JVM's system properties, which tests set for it
 * (zookeeper.extendedTypesEnabled, znode.container.checkIntervalMs, ...): they reach Paddock as
 * -D flags in SERVER_JVMFLAGS, as zkServer.sh hands them to ZooKeeper. Reconfig is switched on
 * through QuorumPeerConfig's static flag, which only an embedded server sees; it becomes
 * reconfigEnabled=true in zoo.cfg.
 */
public class ZooKeeperServerEmbeddedAdapter implements ZooKeeperMainFace {
    private static final long START_TIMEOUT_MS = 60_000;
    private static final String SERVER = System.getProperty("paddock.server");
    private static final Path WORK_DIR = Paths.get(System.getProperty("paddock.workdir"));
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger STARTS = new AtomicInteger();

    static {
        // A test that ends without closing its servers must not leave them behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private volatile QuorumConfigBuilder configBuilder;
    private volatile int instanceIndex;
    private volatile Path zooCfg;
    private volatile int clientPort;
    private volatile boolean member;
    private volatile Process process;

    @Override
    public void configure(QuorumConfigBuilder config, int instanceIndex) throws Exception {
        this.configBuilder = config;
        this.instanceIndex = instanceIndex;
        Properties properties = config.buildConfigProperties(instanceIndex);
        clientPort = Integer.parseInt(properties.getProperty("clientPort"));
        member = config.size() > 1;
        Map<String, String> lines = new TreeMap<>();
        properties.forEach((k, v) -> lines.put(String.valueOf(k), String.valueOf(v)));
        lines.put("admin.enableServer", "false");
        if (QuorumPeerConfig.isReconfigEnabled()) lines.putIfAbsent("reconfigEnabled", "true");
        StringBuilder text = new StringBuilder();
        lines.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Path dir = WORK_DIR.resolve("cfg").resolve(clientPort + "-" + instanceIndex);
        Files.createDirectories(dir);
        zooCfg = dir.resolve("zoo.cfg");
        Files.write(zooCfg, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public QuorumPeerConfig getConfig() throws Exception {
        return configBuilder == null ? null : configBuilder.buildConfig(instanceIndex);
    }

    @Override
    public void start() {
        if (zooCfg == null) throw new FailedServerStartException("start() before configure()");
        try {
            Path logs = WORK_DIR.resolve("server-logs");
            Files.createDirectories(logs);
            File log = logs.resolve(clientPort + "-" + instanceIndex + "-" + STARTS.incrementAndGet() + ".log").toFile();
            ProcessBuilder builder = new ProcessBuilder("node", SERVER, "start-foreground", zooCfg.toString());
            builder.environment().put("PADDOCK_LOG_PRETTY", "");
            StringBuilder flags = new StringBuilder();
            for (String key : System.getProperties().stringPropertyNames()) {
                if (key.startsWith("zookeeper.") || key.startsWith("znode.container.")
                        || key.equals("readonlymode.enabled") || key.equals("jute.maxbuffer")) {
                    flags.append(" -D").append(key).append('=').append(System.getProperty(key));
                }
            }
            builder.environment().put("SERVER_JVMFLAGS", flags.toString().trim());
            builder.redirectErrorStream(true);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
            process = builder.start();
            RUNNING.add(process);
            awaitStarted(log);
        } catch (FailedServerStartException e) {
            throw e;
        } catch (Exception e) {
            throw new FailedServerStartException(e);
        }
    }

    /**
     * As ZooKeeperServerEmbedded's start: a standalone server until it serves, an ensemble member
     * until its client port is open (not until there is a quorum).
     */
    private void awaitStarted(File log) throws Exception {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                RUNNING.remove(process);
                throw new FailedServerStartException("paddock-server exited with " + process.exitValue() + "; see " + log);
            }
            String srvr = fourLetterWord("srvr");
            if (srvr != null && (member || srvr.contains("Mode:"))) return;
            Thread.sleep(50);
        }
        close();
        throw new FailedServerStartException("paddock-server did not start in " + START_TIMEOUT_MS + " ms; see " + log);
    }

    private String fourLetterWord(String word) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", clientPort), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return null;
        }
    }

    /** A crash: SIGKILL (Curator's own kill closes the embedded server; the tests pass either way). */
    @Override
    public void kill() {
        stop(true);
    }

    @Override
    public void close() {
        stop(false);
    }

    private void stop(boolean kill) {
        Process p = process;
        if (p == null) return;
        if (kill) p.destroyForcibly();
        else p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(p);
    }
}
