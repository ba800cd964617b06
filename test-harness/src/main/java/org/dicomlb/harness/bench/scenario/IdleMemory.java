package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.load.IdleClients;
import org.dicomlb.harness.bench.peer.IdleBackend;
import org.dicomlb.harness.bench.process.OpenFiles;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;

/**
 * Resident memory of a proxy holding many idle connections (client side and backend side each)
 * to a backend that never sends: the cost per connection an appliance pays for a ward full of
 * modalities that keep associations open. Each measurement starts a fresh proxy, reads its RSS,
 * opens the connections, waits until the backend has them all, lets the proxy settle, and reads
 * RSS again.
 */
public final class IdleMemory implements Scenario {
    /** The figure. */
    private static final int TARGET_CONNECTIONS = 10_000;
    /** Open files a process needs besides its connections (jars, epoll, pipes, logs). */
    private static final int FD_HEADROOM = 1000;
    private static final Metric RSS_10K = Metric.lower("rss10k", "RSS at 10,000 idle connections", "MiB")
            .withGoal(new Goal.AtMostTimes(Variant.HAPROXY, 1.5));
    private static final Metric RSS = Metric.lower("rss", "RSS holding the measured idle connections", "MiB");
    private static final Metric BASE = Metric.lower("rssStart", "RSS after start", "MiB");
    private static final Metric PER_CONNECTION = Metric.lower("perConnection", "RSS growth per idle connection", "KiB");

    /**
     * "After start" means idle: a JVM that listens is still compiling its start-up code for some
     * seconds (longer on a loaded machine), and what its compiler threads hold then is not what it
     * holds at rest. Waits until the proxy used under {@link #QUIET_CPU} of CPU over one
     * {@link #QUIET_WINDOW} (its own CPU time, so other load on the machine does not matter), at
     * most {@link #QUIET_LIMIT}; HAProxy is quiet at once.
     */
    static final Duration QUIET_WINDOW = Duration.ofSeconds(1);
    static final Duration QUIET_CPU = Duration.ofMillis(20);
    static final Duration QUIET_LIMIT = Duration.ofSeconds(30);
    /**
     * Then one release cycle more: HotSpot hands the compilers' freed arena chunks back to malloc
     * every 5 s, and a JVM that trims its native heap (dicomlb's launcher: every second) returns
     * them to the OS after that. Without it the first reading could land before and the second
     * after, and growth per connection came out negative with 500 connections.
     */
    static final Duration RELEASE_CYCLE = Duration.ofSeconds(6);

    private static void awaitQuiet(Server proxy) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + QUIET_LIMIT.toNanos();
        Duration before = proxy.cpuTime();
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(QUIET_WINDOW.toMillis());
            Duration now = proxy.cpuTime();
            if (now.minus(before).compareTo(QUIET_CPU) < 0) {
                break;
            }
            before = now;
        }
        Thread.sleep(RELEASE_CYCLE.toMillis());
    }

    @Override
    public String name() {
        return "idle-memory";
    }

    @Override
    public String summary() {
        return "VmRSS of the proxy process holding 10,000 idle client connections (500 with --quick; fewer where the"
                + " open-files limit forbids), each with its backend connection, to an idle backend.";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(RSS_10K, RSS, BASE, PER_CONNECTION);
    }

    @Override
    public List<Variant> variants() {
        // With the Netty relay: the footprint of the JVM and transport before dicomlb's code.
        return List.of(Variant.DICOMLB, Variant.HAPROXY, Variant.NETTY_RELAY);
    }

    @Override
    public boolean freshProxyEachRun() {
        return true;
    }

    @Override
    public Session open(BenchContext ctx) throws IOException {
        long limit = OpenFiles.limit();
        // The proxy holds two sockets per connection and so does this JVM (client and backend ends).
        // dicomlb keeps a sixteenth of its descriptors in reserve (health probes, admin, logs) and
        // pauses accept beyond the rest, so N must fit inside that budget too.
        int affordable = (int) Math.min(Integer.MAX_VALUE, (limit - limit / 16 - FD_HEADROOM) / 2);
        int connections = Math.min(ctx.profile().pick(500, TARGET_CONNECTIONS), affordable);
        if (connections < 100) {
            throw new IOException("the open-files limit (" + limit + ") is too low for the idle-memory scenario; run: ulimit -n 65536");
        }
        // Time for the proxy to finish starting, and to finish allocating for the connections.
        Duration settle = Duration.ofSeconds(ctx.profile().pick(1, 2));
        IdleBackend backend = IdleBackend.start(ctx.layout().idleBackend(), 16_384);
        Route route = Route.tcp(ctx.layout().idleBackend());
        return new Session() {
            @Override
            public Route route() {
                return route;
            }

            @Override
            public List<String> prepare(Map<Variant, Via> vias) {
                if (connections == TARGET_CONNECTIONS) {
                    return List.of("Measured at 10,000 connections.");
                }
                return List.of("Measured at " + connections + " connections (open-files limit " + limit + "; each end needs two"
                        + " sockets per connection); the 10,000 figure is RSS after start + 10,000 × growth per connection.");
            }

            @Override
            public Map<String, Double> measure(Via via, Phase phase) throws IOException, InterruptedException {
                Server proxy = via.proxyProcess();
                Thread.sleep(settle.toMillis());
                awaitQuiet(proxy);
                long startKib = proxy.residentKib();
                try (IdleClients clients = IdleClients.open(via.address(), connections)) {
                    backend.awaitConnections(connections, Duration.ofSeconds(120));
                    Thread.sleep(settle.toMillis());
                    // Idle again, as at the first reading: both readings catch the process at rest.
                    awaitQuiet(proxy);
                    long heldKib = proxy.residentKib();
                    double perConnectionKib = (heldKib - startKib) / (double) connections;
                    return Map.of(RSS_10K.key(), (startKib + perConnectionKib * TARGET_CONNECTIONS) / 1024.0,
                            RSS.key(), heldKib / 1024.0, BASE.key(), startKib / 1024.0, PER_CONNECTION.key(), perConnectionKib);
                } finally {
                    backend.dropAll();
                }
            }

            @Override
            public void close() throws IOException {
                backend.close();
            }
        };
    }

}
