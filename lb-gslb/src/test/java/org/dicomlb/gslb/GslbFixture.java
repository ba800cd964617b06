package org.dicomlb.gslb;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.gslb.config.GslbConfig;
import org.dicomlb.gslb.config.GslbConfigReader;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.io.Transport;
import org.dicomlb.testkit.Ports;

/** A running GSLB with its own health checker and event loop, for tests; closes everything. */
public final class GslbFixture implements AutoCloseable {
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final HealthChecker checker = HealthChecker.builder().meterRegistry(registry).build();
    public final EventLoopGroup group = Transport.best().newGroup(2, "gslb-test");
    public final Gslb gslb;
    public final int port;

    public GslbFixture(LocalPools pools) {
        gslb = new Gslb(checker, pools, group, Transport.best(), registry);
        port = Ports.free("127.0.0.1");
    }

    public GslbFixture() {
        this(LocalPools.NONE);
    }

    /** Parses {@code yaml} (the gslb section) and fails with every located error. */
    public static GslbConfig config(String yaml, Set<String> pools) {
        Problems problems = new Problems();
        try {
            Section s = Section.of(YamlTree.parse("gslb.yaml", yaml), problems, "gslb").orElseThrow();
            GslbConfig c = GslbConfigReader.read(s, pools);
            if (c == null || !problems.isEmpty()) {
                throw new IllegalArgumentException("config errors: " + problems.errors().stream().map(ConfigError::toString).toList());
            }
            return c;
        } catch (org.dicomlb.config.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Applies a gslb section whose {@code %PORT%} is this fixture's port. */
    public GslbConfig apply(String yaml) throws Exception {
        return apply(yaml, Set.of());
    }

    public GslbConfig apply(String yaml, Set<String> pools) throws Exception {
        GslbConfig c = config(yaml.replace("%PORT%", Integer.toString(port)), pools);
        gslb.apply(c).get(30, TimeUnit.SECONDS);
        return c;
    }

    public DnsClient client() {
        return new DnsClient(new InetSocketAddress("127.0.0.1", port));
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Polls {@code condition} every 20 ms until it holds; fails with {@code describe} after {@code timeout}. */
    public static void waitFor(BooleanSupplier condition, Duration timeout, Supplier<Object> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout + ": " + describe.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** The A or AAAA addresses of an answer, in order. */
    public static List<String> addresses(org.xbill.DNS.Message m) {
        return m.getSection(org.xbill.DNS.Section.ANSWER).stream()
                .filter(r -> r instanceof org.xbill.DNS.ARecord || r instanceof org.xbill.DNS.AAAARecord)
                .map(r -> r.rdataToString()).toList();
    }

    @Override
    public void close() {
        gslb.close();
        checker.close();
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
