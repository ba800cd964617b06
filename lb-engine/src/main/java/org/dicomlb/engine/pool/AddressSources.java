package org.dicomlb.engine.pool;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.dnsproxy.DnsBackends;
import org.dicomlb.dnsproxy.Resolution;
import org.dicomlb.dnsproxy.config.AddressMode;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;
import org.dicomlb.engine.config.BackendAddress;
import org.dicomlb.engine.config.BackendConfig;
import org.dicomlb.engine.config.PoolConfig;

/**
 * Gives each backend its addresses, by the kind of its {@link BackendAddress}. A fixed address is
 * set at once. A {@code dns} backend is watched by the appliance's {@link DnsBackends} under its
 * id ({@code pool/backend}); each new resolution is applied on the engine's control thread, and
 * the engine is told what changed so that it republishes the pool, re-derives the health-check
 * targets and, with {@code on-change: shutdown}, ends the connections of addresses that left the
 * answer. Control thread only, except where a method says otherwise.
 */
public final class AddressSources implements AutoCloseable {
    /** The source of a fixed address, as status shows it. */
    static final String CONFIG = "config";

    /**
     * What a resolution did to one backend.
     *
     * @param left           endpoints no longer in use; their connections continue unless the
     *                       engine ends them
     * @param leftTheAnswer  true when a resolver answered without them (so {@code on-change}
     *                       applies); false when they were dropped because no resolver answered
     *                       for resolve-fall rounds
     */
    public record Change(Backend backend, List<Endpoint> left, boolean leftTheAnswer) {
        public Change {
            Objects.requireNonNull(backend, "backend");
            left = List.copyOf(left);
        }
    }

    private final DnsBackends dns;
    private final Function<String, Backend> backends;
    private final Consumer<Change> changed;
    private final AutoCloseable subscription;

    private AddressSources(DnsBackends dns, Executor control, Function<String, Backend> backends,
                           Consumer<Change> changed) {
        this.dns = dns;
        this.backends = backends;
        this.changed = changed;
        this.subscription = dns == null ? null : dns.subscribe(r -> {
            try {
                control.execute(() -> resolved(r.id()));
            } catch (RejectedExecutionException e) {
                // The engine has stopped; nothing is left to give addresses to.
            }
        });
    }

    /**
     * Address sources for the engine: fixed addresses, and {@code dns} backends watched by
     * {@code dns}, whose resolutions are applied on {@code control}.
     *
     * @param backends finds a current backend by id ({@code pool/backend}), or null; control thread
     * @param changed  told on the control thread after a resolution changed a backend's endpoints
     */
    public static AddressSources of(DnsBackends dns, Executor control, Function<String, Backend> backends,
                                    Consumer<Change> changed) {
        return new AddressSources(Objects.requireNonNull(dns, "dns"), Objects.requireNonNull(control, "control"),
                Objects.requireNonNull(backends, "backends"), Objects.requireNonNull(changed, "changed"));
    }

    /** Fixed addresses only (pools driven without an engine, in tests); a dns backend is refused. */
    public static AddressSources fixedOnly() {
        return new AddressSources(null, null, id -> null, c -> { });
    }

    /**
     * Watches exactly the dns backends of {@code pools} (a reload's new set: added ones start
     * down, removed ones are no longer resolved, changed ones keep their addresses until the next
     * answer). Returns once the resolver has taken the set over, so {@link #apply} sees each
     * backend's resolution under its new settings.
     */
    public void watch(List<PoolConfig> pools) {
        Map<String, DnsBackendConfig> wanted = new HashMap<>();
        for (PoolConfig p : pools) {
            for (BackendConfig b : p.backends()) {
                if (b.address() instanceof BackendAddress.Dns d) {
                    wanted.put(p.name() + "/" + b.name(), d.config());
                }
            }
        }
        if (dns == null) {
            if (!wanted.isEmpty()) {
                throw new IllegalStateException("dns backends " + wanted.keySet() + " need a resolver; none was given");
            }
            return;
        }
        try {
            dns.apply(wanted).join();
        } catch (CompletionException e) {
            throw new IllegalStateException("the dns backends cannot be watched: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Sets the addresses of {@code backend} from its configuration: the fixed address, or the
     * current resolution of its name (none yet for a backend just added: it is down until the
     * first answer).
     *
     * @return endpoints that left (their connections continue until they end)
     */
    public List<Endpoint> apply(Backend backend) {
        return switch (backend.config().address()) {
            case BackendAddress.Static s -> {
                if (backend.single().map(e -> e.address().equals(s.address())).orElse(false)
                        && backend.addresses().source().equals(CONFIG)) {
                    yield List.of();
                }
                // Also when a dns backend became a fixed one at the same address: the endpoint stays,
                // its source is the file now.
                yield backend.addresses(new Backend.Addresses(List.of(s.address()), CONFIG, Instant.now(), ""), false);
            }
            case BackendAddress.Dns d -> {
                if (dns == null) {
                    throw new IllegalStateException("backend " + backend.id() + " resolves " + d.config().name()
                            + ", and these pools have no resolver");
                }
                Resolution r = dns.resolution(backend.id()).orElse(null);
                boolean ownIds = d.config().addresses() == AddressMode.ALL;
                yield backend.addresses(r == null ? Backend.Addresses.NONE : addresses(r), ownIds);
            }
        };
    }

    /**
     * The addresses of {@code backend} as status shows them: for a dns backend, the resolver and
     * time of the answer in use and any problem of the latest round, read live (rounds that
     * confirm the same answer change no endpoint, but they are news to an operator). Any thread.
     */
    public Backend.Addresses current(Backend backend) {
        if (dns != null && backend.config().address() instanceof BackendAddress.Dns) {
            return dns.resolution(backend.id()).map(AddressSources::addresses).orElse(backend.addresses());
        }
        return backend.addresses();
    }

    /**
     * A resolution of {@code id} was published: applies the backend's current resolution (the
     * latest, so one delivered late never undoes a newer one) and tells the engine when its
     * endpoints changed.
     */
    private void resolved(String id) {
        Backend b = backends.apply(id);
        if (b == null || !(b.config().address() instanceof BackendAddress.Dns d)) {
            return; // removed, or no longer a dns backend, since the resolution was made
        }
        Resolution r = dns.resolution(id).orElse(null);
        if (r == null) {
            return;
        }
        List<Endpoint> before = b.endpoints();
        List<Endpoint> left = b.addresses(addresses(r), d.config().addresses() == AddressMode.ALL);
        if (!before.equals(b.endpoints())) {
            changed.accept(new Change(b, left, r.result().answered()));
        }
    }

    private static Backend.Addresses addresses(Resolution r) {
        return new Backend.Addresses(r.addresses(), r.resolver().map(SocketAddresses::format).orElse(""),
                r.answeredAt().orElse(Instant.EPOCH), r.reason().orElse(""));
    }

    /** Stops following resolutions and watching names (the resolver itself is the appliance's). */
    @Override
    public void close() {
        if (dns == null) {
            return;
        }
        try {
            subscription.close();
        } catch (Exception e) {
            // closing anyway
        }
        try {
            dns.apply(Map.of()).join();
        } catch (CompletionException e) {
            // The resolver stopped first: nothing is watched any more.
        }
    }
}
