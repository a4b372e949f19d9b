package org.awaitility;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The part of Awaitility 4 that Curator 5.4.0's tests use: Debian does not package Awaitility. Polls
 * a condition or an assertion until it holds or the time is up.
 */
public final class Awaitility {
    private Awaitility() {}

    public interface ThrowingRunnable { void run() throws Throwable; }

    public static ConditionFactory await() { return new ConditionFactory(null); }
    public static ConditionFactory await(String alias) { return new ConditionFactory(alias); }

    public static final class ConditionFactory {
        private final String alias;
        private Duration atMost = Duration.ofSeconds(10);
        private Duration poll = Duration.ofMillis(100);
        ConditionFactory(String alias) { this.alias = alias; }
        public ConditionFactory atMost(Duration d) { atMost = d; return this; }
        public ConditionFactory pollInterval(Duration d) { poll = d; return this; }
        public ConditionFactory pollInSameThread() { return this; }

        public void until(Callable<Boolean> c) {
            long end = System.nanoTime() + atMost.toNanos();
            Throwable last = null;
            while (true) {
                try { if (Boolean.TRUE.equals(c.call())) return; } catch (Throwable t) { last = t; }
                if (System.nanoTime() > end) {
                    throw new RuntimeException("ConditionTimeoutException: " + (alias == null ? "condition" : alias) + " not fulfilled within " + atMost, last);
                }
                sleep();
            }
        }

        public void untilAsserted(ThrowingRunnable r) {
            long end = System.nanoTime() + atMost.toNanos();
            while (true) {
                try { r.run(); return; } catch (Throwable t) {
                    if (System.nanoTime() > end) {
                        if (t instanceof AssertionError) throw (AssertionError) t;
                        throw new RuntimeException("ConditionTimeoutException: " + (alias == null ? "assertion" : alias), t);
                    }
                }
                sleep();
            }
        }

        private void sleep() {
            try { Thread.sleep(poll.toMillis()); } catch (InterruptedException e) { Thread.currentThread().interrupt(); throw new RuntimeException(e); }
        }
    }
}
