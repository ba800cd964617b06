package org.dicomlb.dnsproxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;
import org.dicomlb.dnsproxy.testing.TestDnsServer;
import org.dicomlb.io.Transport;

/**
 * A {@link DnsBackends} on a real event loop, with every published resolution recorded, and the
 * test DNS servers it asks; closes them all.
 */
final class Fixture implements AutoCloseable {
    /** Generous: the machine running the tests may be shared and slow. */
    static final Duration DEADLINE = Duration.ofSeconds(30);

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final EventLoopGroup group;
    final DnsBackends dns;
    final List<Resolution> events = new CopyOnWriteArrayList<>();
    private final List<TestDnsServer> servers = new ArrayList<>();

    Fixture() {
        this(DnsBackends.DEFAULT_MAX_CONCURRENT_ROUNDS);
    }

    Fixture(int maxConcurrentRounds) {
        Transport t = Transport.best();
        group = t.newGroup(1, "test-dns-control");
        dns = DnsBackends.builder(group, t).meterRegistry(registry).maxConcurrentRounds(maxConcurrentRounds).build();
        dns.subscribe(events::add);
    }

    TestDnsServer server(String host) throws Exception {
        TestDnsServer s = TestDnsServer.start(host);
        servers.add(s);
        return s;
    }

    void apply(Map<String, DnsBackendConfig> backends) throws Exception {
        dns.apply(backends).get(10, TimeUnit.SECONDS);
    }

    /** A config asking {@code resolvers} in order, every {@code interval}, with a quarter of it (at most 500ms) as timeout. */
    static DnsBackendConfig config(String name, Duration interval, int fall, TestDnsServer... resolvers) {
        List<InetSocketAddress> list = java.util.Arrays.stream(resolvers).map(TestDnsServer::address).toList();
        Duration quarter = interval.dividedBy(4);
        Duration timeout = quarter.compareTo(Duration.ofMillis(500)) < 0 ? quarter : Duration.ofMillis(500);
        return DnsBackendConfig.of(name, 104, list).withTiming(interval, timeout, fall);
    }

    /** Waits for the first recorded event for {@code id} matching {@code p} and returns it. */
    Resolution awaitEvent(String id, Predicate<Resolution> p) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            for (Resolution r : events) {
                if (r.id().equals(id) && p.test(r)) {
                    return r;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no resolution of " + id + " as expected within " + DEADLINE + "; events: " + events
                + "; now: " + dns.resolution(id));
    }

    /** Waits for the current resolution of {@code id} to match {@code p}. */
    Resolution await(String id, Predicate<Resolution> p) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            var r = dns.resolution(id);
            if (r.isPresent() && p.test(r.get())) {
                return r.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("resolution of " + id + " not as expected within " + DEADLINE + ": " + dns.resolution(id));
    }

    static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + DEADLINE + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    List<Resolution> events(String id) {
        return events.stream().filter(r -> r.id().equals(id)).toList();
    }

    double count(String meter, String id, String... tags) {
        int slash = id.lastIndexOf('/');
        var search = registry.find(meter).tag("pool", id.substring(0, slash)).tag("backend", id.substring(slash + 1));
        if (tags.length > 0) {
            search = search.tags(tags);
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }

    static String format(InetSocketAddress a) {
        return org.dicomlb.config.SocketAddresses.format(a);
    }

    static InetSocketAddress at(String ip) {
        return new InetSocketAddress(java.net.InetAddress.ofLiteral(ip), 104);
    }

    @Override
    public void close() {
        dns.close();
        servers.forEach(TestDnsServer::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
