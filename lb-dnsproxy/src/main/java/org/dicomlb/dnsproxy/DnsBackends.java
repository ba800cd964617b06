package org.dicomlb.dnsproxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.dicomlb.config.Durations;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;
import org.dicomlb.dnsproxy.internal.Core;
import org.dicomlb.io.Transport;

/**
 * The appliance's {@code dns} backends: each hostname re-resolved on its schedule, each change
 * published as a {@link Resolution}. The engine owns one and feeds it the dns backends of every
 * pool with {@link #apply}; pools take their endpoints from the resolutions.
 *
 * <p>Threading: every name is scheduled and resolved on one event loop taken from the group the
 * appliance gives (its queries are non-blocking Netty channels on that loop); nothing blocks
 * there. Subscribers are called one at a time, in order, on a serial executor (the builder's, or
 * one daemon thread of this object's own). {@link #status()} and {@link #resolution} may be called
 * from any thread.
 *
 * <pre>{@code
 * DnsBackends dns = DnsBackends.builder(group, transport).meterRegistry(registry).build();
 * AutoCloseable sub = dns.subscribe(resolution -> pools.update(resolution));   // current state first, then changes
 * dns.apply(Map.of("legacy/via-gslb", config)).join();
 * DnsStatus status = dns.status();
 * dns.close();
 * }</pre>
 */
public final class DnsBackends implements AutoCloseable {
    /** Rounds that may run at once; each has one question in flight (two with family any). */
    public static final int DEFAULT_MAX_CONCURRENT_ROUNDS = 128;

    private final Core core;
    private final ExecutorService ownCallbacks;

    private DnsBackends(Builder b) {
        EventLoop loop = b.group.next();
        this.ownCallbacks = b.callbacks == null
                ? Executors.newSingleThreadExecutor(new DefaultThreadFactory("dicomlb-dns-events", true)) : null;
        Executor callbacks = b.callbacks != null ? b.callbacks : ownCallbacks;
        this.core = new Core(loop, b.transport, b.registry, callbacks, b.clock, b.maxConcurrentRounds);
    }

    /** {@code group} and {@code transport} must go together (see {@link Transport}); the group is not closed here. */
    public static Builder builder(EventLoopGroup group, Transport transport) {
        return new Builder(group, transport);
    }

    /**
     * Watches exactly these backends (id {@code pool/backend} → config): new ids start down and
     * are resolved within a second (at a random point, so many names do not resolve at once),
     * ids not in the map stop (no further resolution is published for them), changed configs are
     * taken over keeping the addresses in use until the next answer. Completes when applied.
     */
    public CompletableFuture<Void> apply(Map<String, DnsBackendConfig> backends) {
        Objects.requireNonNull(backends, "backends");
        backends.forEach((id, c) -> {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(c, "config of " + id);
        });
        return core.apply(backends);
    }

    /**
     * Calls {@code subscriber} with the current resolution of every backend, then with each
     * change (state or addresses) of any backend, in order, on the serial callback executor.
     * Closing the returned handle stops further calls (a call already queued may still come).
     */
    public AutoCloseable subscribe(Consumer<Resolution> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        core.subscribe(subscriber);
        return () -> core.unsubscribe(subscriber);
    }

    /** The current resolution of one backend. */
    public Optional<Resolution> resolution(String id) {
        return core.resolution(id);
    }

    /** Every backend's resolution, sorted by id. */
    public List<Resolution> resolutions() {
        return core.entries().stream().map(Core.Entry::resolution).toList();
    }

    /** For the admin API: each backend's addresses, the resolver that answered and when, sorted by id. */
    public DnsStatus status() {
        return new DnsStatus(core.entries().stream().map(DnsBackends::status).toList());
    }

    private static DnsStatus.Backend status(Core.Entry e) {
        Resolution r = e.resolution();
        DnsBackendConfig c = e.config();
        return new DnsStatus.Backend(r.id(), r.name(), c.port(), r.state().name().toLowerCase(java.util.Locale.ROOT),
                r.addresses().stream().map(SocketAddresses::format).toList(), r.result().tag(),
                r.resolver().map(SocketAddresses::format).orElse(null),
                r.answeredAt().map(Object::toString).orElse(null), r.lastRoundAt().map(Object::toString).orElse(null),
                r.consecutiveFailures(), c.resolveFall(), r.reason().orElse(null),
                c.resolvers().stream().map(SocketAddresses::format).toList(), Durations.format(c.resolveInterval()));
    }

    /** Stops every resolution and removes the meters; the event loop group is the caller's and stays. */
    @Override
    public void close() {
        try {
            core.close().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // The loop is gone or stuck; nothing left here can be stopped more cleanly.
        } finally {
            if (ownCallbacks != null) {
                ownCallbacks.shutdown();
            }
        }
    }

    public static final class Builder {
        private final EventLoopGroup group;
        private final Transport transport;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private Executor callbacks;
        private Clock clock = Clock.systemUTC();
        private int maxConcurrentRounds = DEFAULT_MAX_CONCURRENT_ROUNDS;

        private Builder(EventLoopGroup group, Transport transport) {
            this.group = Objects.requireNonNull(group, "group");
            this.transport = Objects.requireNonNull(transport, "transport");
        }

        public Builder meterRegistry(MeterRegistry r) {
            this.registry = Objects.requireNonNull(r, "registry");
            return this;
        }

        /** A serial executor for subscriber calls (e.g. the appliance's control thread). */
        public Builder callbackExecutor(Executor e) {
            this.callbacks = Objects.requireNonNull(e, "executor");
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        public Builder maxConcurrentRounds(int n) {
            if (n < 1 || n > 10_000) {
                throw new IllegalArgumentException("maxConcurrentRounds must be 1..10000");
            }
            this.maxConcurrentRounds = n;
            return this;
        }

        public DnsBackends build() {
            return new DnsBackends(this);
        }
    }
}
