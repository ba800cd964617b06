package org.dicomlb.engine;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import io.netty.channel.EventLoop;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.dnsproxy.DnsBackends;
import org.dicomlb.dnsproxy.config.OnChange;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.balance.Strategies;
import org.dicomlb.engine.config.BackendAddress;
import org.dicomlb.engine.config.DicomMode;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.HttpMode;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.ListenerMode;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.dicom.DicomFrontends;
import org.dicomlb.engine.health.HealthBridge;
import org.dicomlb.engine.http.HttpFrontends;
import org.dicomlb.engine.listener.Descriptors;
import org.dicomlb.engine.listener.Frontends;
import org.dicomlb.engine.listener.ListenerRuntime;
import org.dicomlb.engine.listener.Listeners;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.LiveConnections;
import org.dicomlb.engine.live.OperatorClose;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.AddressSources;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.tcp.TcpFrontend;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.io.EventLoops;
import org.dicomlb.tls.Pem;
import org.dicomlb.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running load balancer's data plane: listeners, pools, balancing and relaying, with their
 * metrics and access log. It is built by the composition root from parts the whole appliance
 * shares (event loops, the health checker, the meter registry, the access-log sink) and reports
 * what it is doing through {@link #status()}; it knows nothing of the admin API or the file.
 *
 * <p>Every change (start, reload, admin actions) runs on one control thread, in order, so the
 * control plane needs no locks; event loops only read what it publishes (pool snapshots, listener
 * settings). A configuration that cannot be applied completely (a listener that cannot bind) is
 * not applied at all.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /**
     * What the engine shares with the rest of the appliance.
     *
     * @param io        the event loop group its listeners and relayed connections run on
     * @param health    the appliance's health checker (the engine owns its {@code pools} targets)
     * @param registry  where its meters go
     * @param accessLog where each connection's access-log line goes
     * @param dns       the appliance's resolver of {@code dns} backends (the engine watches its
     *                  backends' names there, with ids {@code pool/backend})
     */
    public record Parts(EventLoops.Group io, HealthChecker health, MeterRegistry registry, AccessLog accessLog,
                        DnsBackends dns) {
        public Parts {
            Objects.requireNonNull(io, "io");
            Objects.requireNonNull(health, "health");
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(accessLog, "accessLog");
            Objects.requireNonNull(dns, "dns");
        }
    }

    private final EventLoops.Group io;
    private final EngineMetrics metrics;
    private final ScheduledExecutorService control;
    private final HealthBridge health;
    private final AddressSources addresses;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Listeners listeners;
    private volatile EngineConfig current;
    /** Told on the control thread whenever a pool's eligible endpoints may have changed. */
    private final List<Runnable> poolListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Descriptors.Budget budget;

    public Engine(Parts parts) {
        this.io = parts.io();
        this.metrics = new EngineMetrics(parts.registry());
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dicomlb-control");
            t.setDaemon(true);
            return t;
        });
        Frontends frontends = new Frontends();
        frontends.register(ListenerMode.Tcp.class, TcpFrontend::new);
        frontends.register(DicomMode.class, new DicomFrontends(metrics));
        frontends.register(HttpMode.class, new HttpFrontends(metrics, parts.accessLog()));
        this.health = new HealthBridge(parts.health(), control, this::endpoint, this::endConnectionsTo, this::poolsChanged);
        this.addresses = AddressSources.of(parts.dns(), control, this::backend, this::addressesChanged);
        this.listeners = new Listeners(io, metrics, pools::get, frontends, health, parts.accessLog());
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    public EngineConfig config() {
        return current;
    }

    /** Starts with {@code config}; throws with a readable message when it cannot be applied. */
    public void start(EngineConfig config) throws EngineException {
        ReloadResult r = apply(config).join();
        if (!r.applied()) {
            throw new EngineException(String.join("\n", r.errors()));
        }
    }

    /** Applies a validated configuration, entirely or not at all. */
    public CompletableFuture<ReloadResult> apply(EngineConfig config) {
        return CompletableFuture.supplyAsync(() -> applyNow(config), control);
    }

    private ReloadResult applyNow(EngineConfig next) {
        Listeners.Plan plan;
        try {
            plan = listeners.prepare(next.listeners());
        } catch (Listeners.BindFailure e) {
            return rejected(e.getMessage());
        }
        try {
            addresses.watch(next.pools());
        } catch (IllegalStateException e) {
            listeners.rollback(plan);
            return rejected(e.getMessage());
        }
        String summary = updatePools(next.pools());
        health.update(pools.values());
        Descriptors.Budget b = budget();
        List<Integer> limits = Descriptors.share(next.listeners(), b);
        listeners.commit(plan, limits);
        reportCaps(next.listeners(), limits, b);
        poolsChanged();
        boolean first = current == null;
        if (!first) {
            reportRenewals(current.listeners(), next.listeners());
        }
        current = next;
        if (!first) {
            metrics.reloaded(true);
        }
        LOG.info("{}: {} listener(s), {} pool(s); {}", first ? "configuration applied" : "configuration reloaded",
                next.listeners().size(), next.pools().size(), summary);
        return ReloadResult.applied(summary);
    }

    /**
     * Says which listeners took a renewed certificate in this reload (otherwise it would show only
     * in the handshakes of new connections): the new subject and validity, for the operator who
     * just replaced the files.
     */
    private static void reportRenewals(List<ListenerConfig> before, List<ListenerConfig> after) {
        for (ListenerConfig l : after) {
            if (l.tls().isEmpty()) {
                continue;
            }
            ServerTls now = l.tls().get();
            before.stream().filter(b -> b.name().equals(l.name())).findFirst().flatMap(ListenerConfig::tls)
                    .filter(was -> !was.material().equals(now.material()))
                    .ifPresent(was -> LOG.info("listener '{}': TLS certificate reloaded: {}, valid until {}; new connections"
                            + " get it, open ones keep their session", l.name(),
                            now.material().certificate().map(Pem::subject).orElse("-"),
                            now.material().notAfter().map(Object::toString).orElse("-")));
        }
    }

    /** What the descriptors allow now: relayed connections open now are part of it. */
    private Descriptors.Budget budget() {
        Descriptors.Budget b = Descriptors.budget(listeners.openConnections(), health.checked());
        this.budget = b;
        return b;
    }

    private void reportCaps(List<ListenerConfig> wanted, List<Integer> limits, Descriptors.Budget b) {
        List<String> capped = new ArrayList<>();
        boolean chosen = false;
        for (int i = 0; i < wanted.size(); i++) {
            if (limits.get(i) < wanted.get(i).maxConnections()) {
                capped.add(wanted.get(i).name() + " " + wanted.get(i).maxConnections() + " -> " + limits.get(i));
                chosen |= wanted.get(i).maxConnections() != ListenerConfig.DEFAULT_MAX_CONNECTIONS;
            }
        }
        if (capped.isEmpty()) {
            return;
        }
        // Only a maximum someone wrote down is worth a warning; the default is a ceiling, not a plan.
        String message = "the open-files limit ({}) carries about {} relayed connections (2 descriptors each; {} in use"
                + " and {} kept for health checks, admin and logs); max-connections capped: {}."
                + " Raise the limit (LimitNOFILE, ulimit -n) to serve more";
        Object[] args = {b.limit(), b.connections(), b.inUse(), b.reserve(), String.join(", ", capped)};
        if (chosen) {
            LOG.warn(message, args);
        } else {
            LOG.info(message, args);
        }
    }

    private ReloadResult rejected(String error) {
        if (current != null) {
            metrics.reloaded(false);
        }
        LOG.error("configuration not applied, running configuration unchanged: {}", error);
        return ReloadResult.rejected(List.of(error));
    }

    private String updatePools(List<PoolConfig> wanted) {
        List<String> changes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (PoolConfig pc : wanted) {
            names.add(pc.name());
            Pool existing = pools.get(pc.name());
            Pool p;
            if (existing == null) {
                p = new Pool(pc, Strategies::build);
                pools.put(pc.name(), p);
                metrics.pool(p);
                if (current != null) {
                    changes.add("pool " + pc.name() + " added");
                }
            } else {
                p = existing;
                if (!existing.config().equals(pc)) {
                    changes.add("pool " + pc.name() + " updated");
                }
                for (Backend gone : existing.update(pc)) {
                    metrics.removeBackend(gone);
                    LOG.info("backend {} removed; {} connection(s) continue", gone.id(), gone.active());
                }
            }
            for (Backend b : p.backends()) {
                metrics.backend(b);
                for (Endpoint left : addresses.apply(b)) {
                    LOG.info("backend {} no longer at {}; {} connection(s) continue", b.id(),
                            left.addressText(), left.active());
                }
            }
            p.republish();
        }
        for (String name : List.copyOf(pools.keySet())) {
            if (!names.contains(name)) {
                Pool p = pools.remove(name);
                p.backends().forEach(metrics::removeBackend);
                metrics.removePool(p);
                changes.add("pool " + name + " removed");
            }
        }
        return changes.isEmpty() ? "no pool changes" : String.join(", ", changes);
    }

    /** Runs {@code task} on the control thread and waits for it (never call from an event loop). */
    private <T> T onControl(Callable<T> task) {
        try {
            return control.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    public Pool pool(String name) {
        return pools.get(name);
    }

    /** The current endpoint with this id ({@code pool/backend} or {@code pool/backend@ip:port}), or null. */
    public Endpoint endpoint(String id) {
        int slash = id.indexOf('/');
        Pool p = slash < 0 ? null : pools.get(id.substring(0, slash));
        if (p == null) {
            return null;
        }
        for (Endpoint e : p.endpoints()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        return null;
    }

    /**
     * Calls {@code listener} whenever a pool's eligible endpoints may have changed (health, admin
     * state, addresses, a reload), on the engine's control thread, after the new snapshot is
     * published: parts that follow pools (the VIP's tracking) read {@link #poolServing} then. It
     * must not block.
     */
    public void onPoolsChanged(Runnable listener) {
        poolListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void poolsChanged() {
        for (Runnable r : poolListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("a pool listener failed", e);
            }
        }
    }

    /**
     * Whether pool {@code name} has an endpoint taking new connections now; empty for no such
     * pool. Any thread (reads the published snapshot): the GSLB and VIP follow pools with it.
     */
    public Optional<Boolean> poolServing(String name) {
        Pool p = pools.get(name);
        return p == null ? Optional.empty() : Optional.of(!p.snapshot().eligible().isEmpty());
    }

    /**
     * The addresses that float between this appliance and its peer (the VIP): listeners on them
     * bind whether or not this host holds them now. Set before {@link #start} or {@link #apply}.
     */
    /**
     * Ends every open connection accepted on one of the floating addresses ({@link
     * #floatingAddresses}), for {@code reason}; returns how many were open. Any thread: each is
     * closed on its own event loop.
     */
    public int endFloatingConnections(EndReason reason) {
        return listeners.endFloating(reason);
    }

    public void floatingAddresses(java.util.Set<java.net.InetAddress> addresses) {
        listeners.floating(addresses);
    }

    /** Whether a listener of that name is bound and accepting now. Any thread. */
    public boolean listening(String name) {
        return listeners.bound().values().stream().anyMatch(r -> r.config().name().equals(name));
    }

    private void endConnectionsTo(Endpoint e) {
        listeners.endWhere(c -> c.endpoint() == e, EndReason.BACKEND_DOWN);
    }

    /** The current backend with this id ({@code pool/backend}), or null. */
    private Backend backend(String id) {
        int slash = id.indexOf('/');
        Pool p = slash < 0 ? null : pools.get(id.substring(0, slash));
        return p == null ? null : p.backend(id.substring(slash + 1));
    }

    /**
     * A resolution changed a dns backend's endpoints (control thread): new connections follow at
     * once, health checks follow the endpoints, and with {@code on-change: shutdown} connections to
     * an address that left the answer are ended (not when addresses were dropped because no
     * resolver answered: that says nothing about the servers).
     */
    private void addressesChanged(AddressSources.Change change) {
        Backend b = change.backend();
        boolean shutdown = change.leftTheAnswer() && b.config().address() instanceof BackendAddress.Dns d
                && d.config().onChange() == OnChange.SHUTDOWN;
        b.pool().republish();
        health.update(pools.values());
        for (Endpoint left : change.left()) {
            if (shutdown && left.active() > 0) {
                LOG.info("backend {} no longer at {} and has on-change: shutdown; closing its {} connection(s)", b.id(),
                        left.addressText(), left.active());
                listeners.endWhere(c -> c.endpoint() == left, EndReason.ADDRESS_CHANGED);
            } else {
                LOG.info("backend {} no longer at {}; {} connection(s) continue", b.id(),
                        left.addressText(), left.active());
            }
        }
        poolsChanged();
    }

    /** The outcome of an admin state change: the backend's status after it, or why it failed. */
    public record StateChange(boolean found, String error, EngineStatus.BackendStatus backend) {
    }

    /**
     * Sets an operator's admin state for one backend: {@code drain} takes no new connections
     * (established ones continue), {@code maint} also stops its health checks, {@code ready}
     * returns it to service (with slow start when the pool has one). The state outlives reloads
     * as long as the backend keeps its name.
     */
    public CompletableFuture<StateChange> setAdminState(String poolName, String backendName, AdminState state) {
        return CompletableFuture.supplyAsync(() -> {
            Pool p = pools.get(poolName);
            Backend b = p == null ? null : p.backend(backendName);
            if (b == null) {
                return new StateChange(false, "no backend '" + backendName + "' in pool '" + poolName + "'", null);
            }
            AdminState before = b.adminState();
            if (before != state) {
                if (state == AdminState.READY) {
                    // ramp from zero before the backend reads as ready (see HealthBridge.apply)
                    b.endpoints().forEach(health::startRamp);
                }
                p.setAdminState(b, state);
                LOG.info("backend {} admin state {} -> {} ({} connection(s) open)", b.id(),
                        before.name().toLowerCase(Locale.ROOT), state.name().toLowerCase(Locale.ROOT), b.active());
                if (before == AdminState.MAINT || state == AdminState.MAINT) {
                    health.update(pools.values());
                }
                p.republish();
                poolsChanged();
            }
            return new StateChange(true, null, EngineStatus.backend(b, addresses.current(b)));
        }, control);
    }

    public EngineStatus status() {
        List<EngineStatus.ListenerStatus> ls = new ArrayList<>();
        for (var e : listeners.bound().entrySet()) {
            ListenerRuntime r = e.getValue();
            ls.add(new EngineStatus.ListenerStatus(r.config().name(), SocketAddresses.format(e.getKey()),
                    r.config().mode().label(), r.config().pool(), r.openConnections(), r.config().maxConnections(),
                    r.limit()));
        }
        EngineConfig cfg = current;
        // Kernel listeners (dsr, nat) have no socket here: listed from the configuration, with no
        // connections of the engine's (lb-l4's status has their real servers and counters).
        for (ListenerConfig c : cfg == null ? List.<ListenerConfig>of() : cfg.listeners()) {
            if (c.mode().inKernel()) {
                ls.add(new EngineStatus.ListenerStatus(c.name(), SocketAddresses.format(c.bind()), c.mode().label(), c.pool(),
                        0, c.maxConnections(), c.maxConnections()));
            }
        }
        ls.sort(Comparator.comparing(EngineStatus.ListenerStatus::name));
        List<EngineStatus.PoolStatus> ps = new ArrayList<>();
        for (PoolConfig pc : cfg == null ? List.<PoolConfig>of() : cfg.pools()) {
            Pool p = pools.get(pc.name());
            if (p == null) {
                continue;
            }
            var snap = p.snapshot();
            ps.add(new EngineStatus.PoolStatus(p.name(), snap.config().balance().name().toLowerCase(Locale.ROOT),
                    snap.onBackups(), snap.eligible().size(), p.queueLength(),
                    snap.backends().stream().map(x -> EngineStatus.backend(x, addresses.current(x))).toList()));
        }
        Descriptors.Budget b = budget;
        return new EngineStatus(io.transport().name().toLowerCase(Locale.ROOT), ls, ps,
                b == null || !b.known() ? null : new EngineStatus.DescriptorStatus(b.limit(), b.connections()));
    }

    /**
     * The open connections (for dicom listeners: associations) that pass {@code filter}, oldest
     * first, at most {@code limit} of them, with how many matched in all. Each connection is
     * looked at on its own event loop (one task per loop, not per connection), so the views agree
     * with what the connections are doing; the future completes on one of those loops. Any thread.
     */
    public CompletableFuture<LiveConnections> connections(Predicate<LiveConnection> filter, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        Map<EventLoop, List<ProxyConnection>> byLoop = new java.util.HashMap<>();
        for (ProxyConnection c : listeners.live()) {
            byLoop.computeIfAbsent(c.client().eventLoop(), l -> new ArrayList<>()).add(c);
        }
        // Each loop keeps only its oldest `limit` matches (and counts the rest), so a listing
        // holds at most loops x limit views whatever the number of connections.
        record Part(int matched, List<LiveConnection> oldest) {
        }
        List<CompletableFuture<Part>> parts = new ArrayList<>();
        for (var e : byLoop.entrySet()) {
            CompletableFuture<Part> part = new CompletableFuture<>();
            e.getKey().execute(() -> {
                try {
                    List<LiveConnection> views = new ArrayList<>();
                    for (ProxyConnection c : e.getValue()) {
                        if (!c.finished()) {
                            LiveConnection v = c.view();
                            if (filter.test(v)) {
                                views.add(v);
                            }
                        }
                    }
                    views.sort(Comparator.comparingLong(LiveConnection::id));
                    part.complete(new Part(views.size(), List.copyOf(views.subList(0, Math.min(limit, views.size())))));
                } catch (RuntimeException ex) {
                    part.completeExceptionally(ex);
                }
            });
            parts.add(part);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            int matched = 0;
            List<LiveConnection> oldest = new ArrayList<>();
            for (CompletableFuture<Part> p : parts) {
                matched += p.join().matched();
                oldest.addAll(p.join().oldest());
            }
            oldest.sort(Comparator.comparingLong(LiveConnection::id));
            return new LiveConnections(matched, oldest.subList(0, Math.min(limit, oldest.size())));
        });
    }

    /**
     * Ends open connection {@code id} because an operator asked: {@code end=admin_close} in the
     * access log; a DICOM association is sent an A-ABORT first (see the dicom frontend). Empty
     * when there is no such open connection. Nothing else is touched. Any thread.
     */
    public CompletableFuture<Optional<OperatorClose>> closeConnection(long id) {
        for (ProxyConnection c : listeners.live()) {
            if (c.id() == id) {
                CompletableFuture<Optional<OperatorClose>> done = new CompletableFuture<>();
                c.client().eventLoop().execute(() -> {
                    try {
                        c.endByOperator(outcome -> {
                            if (outcome != null) {
                                LOG.info("connection {} on listener {} from {} closed by an operator: {}", id,
                                        outcome.connection().listener(), outcome.connection().client(), outcome.detail());
                            }
                            done.complete(Optional.ofNullable(outcome));
                        });
                    } catch (RuntimeException ex) {
                        done.completeExceptionally(ex);
                    }
                });
                return done;
            }
        }
        return CompletableFuture.completedFuture(Optional.empty());
    }

    /** Open client connections across all listeners. */
    public int openConnections() {
        return listeners.openConnections();
    }

    /**
     * Stops accepting, lets open connections finish for up to {@code grace}, then closes
     * everything. Returns the number of connections still open when the grace ran out. An http
     * connection does not wait for the grace: it is told at once, and ends once its requests in
     * progress are answered (HTTP/1.1: {@code Connection: close}; HTTP/2: GOAWAY).
     */
    public int drainAndClose(Duration grace) {
        onControl(() -> {
            listeners.closeAll();
            return null;
        });
        long deadline = System.nanoTime() + grace.toNanos();
        while (openConnections() > 0 && System.nanoTime() < deadline) {
            sleep(50);
        }
        int left = openConnections();
        if (left > 0) {
            // End the stragglers ourselves so each gets its access-log line with end=shutdown.
            listeners.endAll(EndReason.SHUTDOWN);
            long closeDeadline = System.nanoTime() + 2_000_000_000L;
            while (openConnections() > 0 && System.nanoTime() < closeDeadline) {
                sleep(20);
            }
        }
        close();
        return left;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening, checking and resolving; the shared event loops, checker and resolver belong to the appliance. */
    @Override
    public void close() {
        if (control.isShutdown()) {
            return;
        }
        onControl(() -> {
            listeners.closeAll();
            listeners.endAll(EndReason.SHUTDOWN);
            addresses.close();
            health.close();
            return null;
        });
        control.shutdown();
        try {
            control.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
