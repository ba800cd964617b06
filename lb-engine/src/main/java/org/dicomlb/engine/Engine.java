package org.dicomlb.engine;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.admin.AdminServer;
import org.dicomlb.engine.config.AdminConfig;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.ListenerMode;
import org.dicomlb.engine.dicom.DicomFrontends;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.health.HealthBridge;
import org.dicomlb.engine.listener.ListenerRuntime;
import org.dicomlb.engine.listener.Listeners;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.FrontendFactory;
import org.dicomlb.engine.relay.TcpFrontend;
import org.dicomlb.engine.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running load balancer: listeners, pools, the admin listener and metrics.
 *
 * <p>Every change (start, reload, admin actions) runs on one control thread, in order, so the
 * control plane needs no locks; event loops only read what it publishes (pool snapshots, listener
 * settings). A configuration that cannot be applied completely (a listener that cannot bind, an
 * unreadable token file) is not applied at all.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /** Settings fixed for the process lifetime (not reloadable). */
    public record Options(int ioThreads, boolean preferEpoll) {
        public static Options defaults() {
            return new Options(0, true);
        }
    }

    private final Transport transport;
    private final PrometheusMeterRegistry registry;
    private final EngineMetrics metrics;
    private final ScheduledExecutorService control;
    private final HealthBridge health;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Listeners listeners;
    private volatile EngineConfig current;
    private AdminServer admin;
    private Supplier<CompletableFuture<ReloadResult>> reloader = () ->
            CompletableFuture.completedFuture(ReloadResult.rejected(List.of("no configuration source to reload from")));

    public Engine(Options options, PrometheusMeterRegistry registry) {
        this.transport = Transport.create("dicomlb-io", options.ioThreads(), options.preferEpoll());
        this.registry = registry;
        this.metrics = new EngineMetrics(registry);
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dicomlb-control");
            t.setDaemon(true);
            return t;
        });
        this.listeners = new Listeners(transport, metrics, pools::get);
        listeners.frontend(ListenerMode.TCP, TcpFrontend::new);
        listeners.frontend(ListenerMode.DICOM, new DicomFrontends(metrics));
        this.health = new HealthBridge(registry, control, this::endpoint,
                e -> listeners.endWhere(c -> c.endpoint() == e, EndReason.BACKEND_DOWN));
        listeners.observer(health);
    }

    /** Registers the frontend for a listener mode (protocol modules plug in here). */
    public void frontend(ListenerMode mode, FrontendFactory factory) {
        onControl(() -> {
            listeners.frontend(mode, factory);
            return null;
        });
    }

    /** Where {@code POST /api/v1/reload} and SIGHUP get the new configuration from. */
    public void reloader(Supplier<CompletableFuture<ReloadResult>> reloader) {
        this.reloader = reloader;
    }

    public Transport transport() {
        return transport;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
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

    /** Runs the configured reloader (SIGHUP, admin API). */
    public CompletableFuture<ReloadResult> reload() {
        return reloader.get();
    }

    /** Applies a validated configuration, entirely or not at all. */
    public CompletableFuture<ReloadResult> apply(EngineConfig config) {
        return CompletableFuture.supplyAsync(() -> applyNow(config), control);
    }

    private ReloadResult applyNow(EngineConfig next) {
        Optional<String> token;
        try {
            token = readToken(next.admin());
        } catch (EngineException e) {
            return rejected(e.getMessage());
        }
        Listeners.Plan plan;
        try {
            plan = listeners.prepare(next.listeners());
        } catch (Listeners.BindFailure e) {
            return rejected(e.getMessage());
        }
        try {
            reconfigureAdmin(next.admin(), token);
        } catch (EngineException e) {
            listeners.rollback(plan);
            return rejected(e.getMessage());
        }
        String summary = updatePools(next.pools());
        health.update(pools.values());
        listeners.commit(plan);
        boolean first = current == null;
        current = next;
        if (!first) {
            metrics.reloaded(true);
        }
        LOG.info("{}: {} listener(s), {} pool(s); {}", first ? "configuration applied" : "configuration reloaded",
                next.listeners().size(), next.pools().size(), summary);
        return ReloadResult.applied(summary);
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
        var names = new java.util.HashSet<String>();
        for (PoolConfig pc : wanted) {
            names.add(pc.name());
            Pool existing = pools.get(pc.name());
            if (existing == null) {
                Pool p = new Pool(pc);
                pools.put(pc.name(), p);
                metrics.addPool(p);
                p.endpoints().forEach(metrics::backend);
                if (current != null) {
                    changes.add("pool " + pc.name() + " added");
                }
            } else {
                if (!existing.config().equals(pc)) {
                    changes.add("pool " + pc.name() + " updated");
                }
                for (Endpoint gone : existing.update(pc)) {
                    metrics.removeBackend(gone);
                    LOG.info("backend {} removed; {} connection(s) continue", gone.id(), gone.active());
                }
                existing.endpoints().forEach(metrics::backend);
            }
        }
        for (String name : List.copyOf(pools.keySet())) {
            if (!names.contains(name)) {
                Pool p = pools.remove(name);
                p.endpoints().forEach(metrics::removeBackend);
                metrics.removePool(name);
                changes.add("pool " + name + " removed");
            }
        }
        return changes.isEmpty() ? "no pool changes" : String.join(", ", changes);
    }

    private Optional<String> readToken(Optional<AdminConfig> admin) throws EngineException {
        if (admin.isEmpty() || admin.get().tokenFile().isEmpty()) {
            return Optional.empty();
        }
        Path p = admin.get().tokenFile().get();
        try {
            String t = Files.readString(p, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) {
                throw new EngineException("admin token file " + p + " is empty");
            }
            return Optional.of(t);
        } catch (IOException e) {
            throw new EngineException("admin token file " + p + " cannot be read: " + e);
        }
    }

    private void reconfigureAdmin(Optional<AdminConfig> wanted, Optional<String> token) throws EngineException {
        if (admin != null && (wanted.isEmpty() || !admin.address().equals(wanted.get().listen()))) {
            admin.close();
            admin = null;
        }
        if (wanted.isPresent() && admin == null) {
            admin = AdminServer.start(wanted.get().listen(), this, token);
            LOG.info("admin listener on {} (/metrics, /healthz, /api/v1)", SocketAddresses.format(wanted.get().listen()));
        } else if (admin != null) {
            admin.token(token);
        }
    }

    /** Runs {@code task} on the control thread and waits for it (never call from an event loop). */
    <T> T onControl(java.util.concurrent.Callable<T> task) {
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

    /** The live endpoint with id {@code pool/backend}, or null. */
    public Endpoint endpoint(String id) {
        int slash = id.indexOf('/');
        Pool p = slash < 0 ? null : pools.get(id.substring(0, slash));
        return p == null ? null : p.endpoint(id.substring(slash + 1));
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
    public CompletableFuture<StateChange> setAdminState(String poolName, String backend, AdminState state) {
        return CompletableFuture.supplyAsync(() -> {
            Pool p = pools.get(poolName);
            Endpoint e = p == null ? null : p.endpoint(backend);
            if (e == null) {
                return new StateChange(false, "no backend '" + backend + "' in pool '" + poolName + "'", null);
            }
            AdminState before = e.adminState();
            if (before != state) {
                if (state == AdminState.READY) {
                    // ramp from zero before the backend reads as ready (see HealthBridge.apply)
                    health.startRamp(e);
                }
                p.setAdminState(e, state);
                LOG.info("backend {} admin state {} -> {} ({} connection(s) open)", e.id(),
                        before.name().toLowerCase(java.util.Locale.ROOT), state.name().toLowerCase(java.util.Locale.ROOT),
                        e.active());
                if (before == AdminState.MAINT || state == AdminState.MAINT) {
                    health.update(pools.values());
                }
                p.republish();
            }
            return new StateChange(true, null, backendStatus(e));
        }, control);
    }

    public EngineStatus status() {
        List<EngineStatus.ListenerStatus> ls = new ArrayList<>();
        for (var e : listeners.bound().entrySet()) {
            ListenerRuntime r = e.getValue();
            ls.add(new EngineStatus.ListenerStatus(r.config().name(), SocketAddresses.format(e.getKey()),
                    r.config().mode().name().toLowerCase(java.util.Locale.ROOT), r.config().pool(),
                    r.openConnections(), r.config().maxConnections()));
        }
        ls.sort(java.util.Comparator.comparing(EngineStatus.ListenerStatus::name));
        List<EngineStatus.PoolStatus> ps = new ArrayList<>();
        EngineConfig cfg = current;
        for (PoolConfig pc : cfg == null ? List.<PoolConfig>of() : cfg.pools()) {
            Pool p = pools.get(pc.name());
            if (p == null) {
                continue;
            }
            var snap = p.snapshot();
            List<EngineStatus.BackendStatus> bs = new ArrayList<>();
            for (Endpoint e : snap.endpoints()) {
                bs.add(backendStatus(e));
            }
            ps.add(new EngineStatus.PoolStatus(p.name(), snap.config().balance().name().toLowerCase(java.util.Locale.ROOT),
                    snap.onBackups(), snap.eligible().size(), p.queueLength(), bs));
        }
        return new EngineStatus(transport.describe(), ls, ps);
    }

    private static EngineStatus.BackendStatus backendStatus(Endpoint e) {
        Endpoint.Health h = e.health();
        return new EngineStatus.BackendStatus(e.name(), SocketAddresses.format(e.address()), e.config().weight(),
                e.effectiveWeight(), e.config().backup(), e.config().maxConnections(), e.active(), h.serving(),
                h.state(), h.reason(), e.adminState().name().toLowerCase(java.util.Locale.ROOT), e.eligible());
    }

    /** Open client connections across all listeners. */
    public int openConnections() {
        return listeners.openConnections();
    }

    /**
     * Stops accepting, lets open connections finish for up to {@code grace}, then closes
     * everything. Returns the number of connections still open when the grace ran out.
     */
    public int drainAndClose(Duration grace) {
        onControl(() -> {
            listeners.closeAll();
            return null;
        });
        long deadline = System.nanoTime() + grace.toNanos();
        while (openConnections() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = openConnections();
        if (left > 0) {
            // End the stragglers ourselves so each gets its access-log line with end=shutdown.
            listeners.endAll(org.dicomlb.engine.access.EndReason.SHUTDOWN);
            long closeDeadline = System.nanoTime() + 2_000_000_000L;
            while (openConnections() > 0 && System.nanoTime() < closeDeadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        close();
        return left;
    }

    @Override
    public void close() {
        onControl(() -> {
            listeners.closeAll();
            if (admin != null) {
                admin.close();
                admin = null;
            }
            health.close();
            return null;
        });
        control.shutdown();
        transport.close();
        try {
            control.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
