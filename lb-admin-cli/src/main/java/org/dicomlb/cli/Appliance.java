package org.dicomlb.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.dicomlb.cli.admin.AdminApi;
import org.dicomlb.cli.admin.AdminServer;
import org.dicomlb.cli.admin.ApplianceStatus;
import org.dicomlb.cli.admin.RecentEvents;
import org.dicomlb.cli.config.AdminConfig;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigException;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.AccessLogWriter;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.LiveConnections;
import org.dicomlb.engine.live.OperatorClose;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.gslb.FailbackResult;
import org.dicomlb.gslb.Gslb;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.io.EventLoops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: one running dicomlb built from a configuration file. It makes the parts
 * the whole appliance shares (event loops, one health checker, the meter registry, the access
 * log), builds each module on them, applies every reload to each module from one parsed root
 * configuration, and serves the admin API from the status each module publishes. Modules never
 * call back up into it.
 */
public final class Appliance implements AdminApi, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);

    /** Settings fixed for the process lifetime (not reloadable). */
    public record Options(int ioThreads, boolean preferEpoll) {
        public static Options defaults() {
            return new Options(0, true);
        }
    }

    private final Path configFile;
    private final EventLoops loops;
    private final PrometheusMeterRegistry registry;
    private final HealthChecker health;
    private final Engine engine;
    private final Gslb gslb;
    private final AdminServer admin;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    // Reloads are serialised and kept off event loops: reading and parsing the file is blocking I/O.
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dicomlb-reload");
        t.setDaemon(true);
        return t;
    });
    private final List<AutoCloseable> alsoClose = new CopyOnWriteArrayList<>();
    private final RecentEvents events = new RecentEvents();
    private final AutoCloseable healthEvents;

    private Appliance(Path configFile, Options options, AccessLog accessLog) {
        this.configFile = configFile;
        this.loops = EventLoops.create(options.preferEpoll());
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        this.health = HealthChecker.builder().meterRegistry(registry)
                .transport(ProbeTransport.on(loops.group("health", 1))).build();
        EventLoops.Group io = loops.group("io", options.ioThreads());
        this.engine = new Engine(new Engine.Parts(io, health, registry, accessLog));
        // The GSLB answers on loops of its own (one per core, a UDP socket each), so a saturated
        // data plane cannot delay the answers that steer clients away from a failed site; it
        // learns its 'pool:' members' state from the engine's published pools.
        EventLoops.Group dns = loops.group("dns", 0);
        this.gslb = new Gslb(health, engine::poolServing, dns.group(), dns.transport(), registry);
        this.admin = new AdminServer(loops.group("admin", 1), this);
        // Every owner's health transitions (pools, GSLB members) for the status page.
        this.healthEvents = health.subscribe(e -> events.add("health", e.id(),
                e.from().name().toLowerCase(java.util.Locale.ROOT) + " -> " + e.to().name().toLowerCase(java.util.Locale.ROOT)
                        + (e.reason().isEmpty() ? "" : ": " + e.reason())));
    }

    /** Builds and starts everything from {@code config}; on failure nothing is left running. */
    public static Appliance start(Path configFile, RootConfig config, Options options, AccessLog accessLog)
            throws EngineException {
        Appliance app = new Appliance(configFile, options, accessLog);
        try {
            Optional<AdminServer.Binding> adminAt = app.bindAdmin(config);
            app.engine.start(config.engine());
            if (config.gslb().isPresent()) {
                app.gslb.apply(config.gslb().get()).join();
            }
            app.commitAdmin(config, adminAt);
        } catch (CompletionException e) {
            app.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new EngineException(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        } catch (EngineException | AdminServer.BindFailure | RuntimeException e) {
            app.close();
            throw e instanceof EngineException ee ? ee : new EngineException(e.getMessage());
        }
        LOG.info("dicomlb {} running from {} ({} transport)", VersionProvider.version(), configFile,
                app.loops.transport().name().toLowerCase(java.util.Locale.ROOT));
        return app;
    }

    public Engine engine() {
        return engine;
    }

    /** A new admin listening socket when the file wants one at an address not served now. */
    private Optional<AdminServer.Binding> bindAdmin(RootConfig config) throws AdminServer.BindFailure {
        Optional<AdminConfig> wanted = config.admin();
        if (wanted.isEmpty() || wanted.get().listen().equals(admin.address())) {
            return Optional.empty();
        }
        return Optional.of(admin.bind(wanted.get().listen()));
    }

    private void commitAdmin(RootConfig config, Optional<AdminServer.Binding> bound) {
        admin.token(config.admin().flatMap(AdminConfig::token));
        bound.ifPresent(admin::serveFrom);
        if (config.admin().isEmpty()) {
            admin.stopListening();
        }
    }

    @Override
    public ApplianceStatus status() {
        return ApplianceStatus.of(VersionProvider.version(), engine.status(), gslb.running() ? gslb.status() : null,
                events.snapshot());
    }

    @Override
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public CompletableFuture<Engine.StateChange> setBackendState(String pool, String backend, AdminState state) {
        return engine.setAdminState(pool, backend, state).whenComplete((r, err) -> {
            if (err == null && r.found()) {
                events.add("admin-state", pool + "/" + backend, "set to " + r.backend().adminState() + " by an operator");
            }
        });
    }

    @Override
    public CompletableFuture<LiveConnections> connections(Predicate<LiveConnection> filter, int limit) {
        return engine.connections(filter, limit);
    }

    @Override
    public CompletableFuture<Optional<OperatorClose>> closeConnection(long id) {
        return engine.closeConnection(id).whenComplete((r, err) -> {
            if (err == null && r.isPresent()) {
                LiveConnection c = r.get().connection();
                String who = c.dicom() != null && c.dicom().callingAe() != null ? " (" + c.dicom().callingAe() + ")" : "";
                events.add("connection", Long.toString(id), "closed by an operator: " + c.client() + who + " on "
                        + c.listener() + (c.poolBackend() == null ? "" : " to " + c.poolBackend()) + "; " + r.get().detail());
            }
        });
    }

    @Override
    public CompletableFuture<FailbackResult> gslbFailback(String name) {
        if (!gslb.running()) {
            return CompletableFuture.failedFuture(new IllegalStateException("this dicomlb runs no GSLB (no gslb section)"));
        }
        return gslb.failback(name).whenComplete((r, err) -> {
            if (err == null) {
                events.add("gslb", r.name(), "failback by an operator: " + r.describe());
            }
        });
    }

    public Gslb gslb() {
        return gslb;
    }

    /** Re-reads the configuration file and applies it if valid and bindable; otherwise keeps running as is. */
    @Override
    public CompletableFuture<ReloadResult> reload() {
        return CompletableFuture.supplyAsync(this::reloadNow, reloads).whenComplete((r, err) -> {
            if (err != null) {
                events.add("reload", configFile.toString(), "failed: " + err);
            } else if (r.applied()) {
                events.add("reload", configFile.toString(), "applied: " + r.summary());
            } else {
                events.add("reload", configFile.toString(), "rejected, running configuration unchanged: "
                        + r.errors().size() + " error(s), first: " + (r.errors().isEmpty() ? "-" : r.errors().getFirst()));
            }
        });
    }

    private ReloadResult reloadNow() {
        RootConfig next;
        try {
            next = RootConfigReader.load(configFile);
        } catch (ConfigException e) {
            engine.metrics().reloaded(false);
            e.errors().forEach(err -> LOG.error("reload rejected: {}", err));
            LOG.error("reload rejected with {} error(s); the running configuration is unchanged", e.errors().size());
            return ReloadResult.rejected(e.errors().stream().map(ConfigError::toString).toList());
        }
        Optional<AdminServer.Binding> adminAt;
        try {
            adminAt = bindAdmin(next);
        } catch (AdminServer.BindFailure e) {
            engine.metrics().reloaded(false);
            LOG.error("reload rejected: {}; the running configuration is unchanged", e.getMessage());
            return ReloadResult.rejected(List.of(e.getMessage()));
        }
        // The GSLB binds a new listen address before anything changes, like the admin listener.
        Optional<Gslb.Prepared> gslbAt = Optional.empty();
        if (next.gslb().isPresent()) {
            try {
                gslbAt = Optional.of(gslb.prepare(next.gslb().get()).join());
            } catch (CompletionException e) {
                adminAt.ifPresent(admin::discard);
                engine.metrics().reloaded(false);
                String why = e.getCause() == null ? String.valueOf(e) : e.getCause().getMessage();
                LOG.error("reload rejected: {}; the running configuration is unchanged", why);
                return ReloadResult.rejected(List.of(why));
            }
        }
        ReloadResult r;
        try {
            r = engine.apply(next.engine()).join();
        } catch (CompletionException e) {
            LOG.error("reload failed; the running configuration is unchanged", e.getCause());
            r = ReloadResult.rejected(List.of(String.valueOf(e.getCause())));
        }
        if (!r.applied()) {
            adminAt.ifPresent(admin::discard);
            gslbAt.ifPresent(gslb::discard);
            return r;
        }
        commitAdmin(next, adminAt);
        // After the engine, so that members following a pool new in this file find it.
        try {
            if (gslbAt.isPresent()) {
                gslb.commit(gslbAt.get()).join();
            } else if (gslb.running()) {
                gslb.clear().join();
            }
        } catch (CompletionException e) {
            LOG.error("the GSLB could not take the new configuration and keeps its previous one", e.getCause());
            return new ReloadResult(true, List.of("GSLB: " + e.getCause().getMessage()), r.summary());
        }
        return r;
    }

    /** Exports how many access-log lines the writer had to drop (a disk that cannot keep up). */
    public void countDroppedAccessLines(AccessLogWriter writer) {
        FunctionCounter.builder("dicomlb.access.log.dropped", writer, AccessLogWriter::dropped)
                .description("Access-log lines dropped because the writer fell 65536 lines behind")
                .register(registry);
    }

    /** Stops accepting and gives open connections {@code grace} to finish. */
    public int drainAndClose(Duration grace) {
        admin.stopListening();
        int left = engine.drainAndClose(grace);
        close();
        return left;
    }

    @Override
    public void close() {
        try {
            healthEvents.close();
        } catch (Exception e) {
            LOG.debug("unsubscribing: {}", e.toString());
        }
        reloads.shutdownNow();
        gslb.close();
        engine.close();
        admin.close();
        health.close();
        loops.close();
        gcMetrics.close();
        for (AutoCloseable c : alsoClose) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
    }

    /** Something started with the appliance that must stop with it (demo backends). */
    public void alsoClose(AutoCloseable c) {
        alsoClose.add(c);
    }
}
