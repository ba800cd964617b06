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
import org.dicomlb.cli.admin.AdminApi;
import org.dicomlb.cli.admin.AdminServer;
import org.dicomlb.cli.admin.ApplianceStatus;
import org.dicomlb.cli.config.AdminConfig;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigException;
import org.dicomlb.dnsproxy.DnsBackends;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.AccessLogWriter;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.io.EventLoops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: one running dicomlb built from a configuration file. It makes the parts
 * the whole appliance shares (event loops, one health checker, one resolver of dns backends, the
 * meter registry, the access log), builds each module on them, applies every reload to each module from one parsed root
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
    private final DnsBackends dns;
    private final Engine engine;
    private final AdminServer admin;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    // Reloads are serialised and kept off event loops: reading and parsing the file is blocking I/O.
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dicomlb-reload");
        t.setDaemon(true);
        return t;
    });
    private final List<AutoCloseable> alsoClose = new CopyOnWriteArrayList<>();

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
        EventLoops.Group dnsLoop = loops.group("dns", 1);
        this.dns = DnsBackends.builder(dnsLoop.group(), dnsLoop.transport()).meterRegistry(registry).build();
        this.engine = new Engine(new Engine.Parts(loops.group("io", options.ioThreads()), health, registry, accessLog,
                dns));
        this.admin = new AdminServer(loops.group("admin", 1), this);
    }

    /** Builds and starts everything from {@code config}; on failure nothing is left running. */
    public static Appliance start(Path configFile, RootConfig config, Options options, AccessLog accessLog)
            throws EngineException {
        Appliance app = new Appliance(configFile, options, accessLog);
        try {
            Optional<AdminServer.Binding> adminAt = app.bindAdmin(config);
            app.engine.start(config.engine());
            app.commitAdmin(config, adminAt);
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
        return ApplianceStatus.of(VersionProvider.version(), engine.status(), dns.status());
    }

    @Override
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public CompletableFuture<Engine.StateChange> setBackendState(String pool, String backend, AdminState state) {
        return engine.setAdminState(pool, backend, state);
    }

    /** Re-reads the configuration file and applies it if valid and bindable; otherwise keeps running as is. */
    @Override
    public CompletableFuture<ReloadResult> reload() {
        return CompletableFuture.supplyAsync(this::reloadNow, reloads);
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
        ReloadResult r;
        try {
            r = engine.apply(next.engine()).join();
        } catch (CompletionException e) {
            LOG.error("reload failed; the running configuration is unchanged", e.getCause());
            r = ReloadResult.rejected(List.of(String.valueOf(e.getCause())));
        }
        if (!r.applied()) {
            adminAt.ifPresent(admin::discard);
            return r;
        }
        commitAdmin(next, adminAt);
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
        reloads.shutdownNow();
        engine.close();
        admin.close();
        dns.close();
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
