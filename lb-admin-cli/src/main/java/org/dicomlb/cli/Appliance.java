package org.dicomlb.cli;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigException;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.ReloadResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: one running dicomlb built from a configuration file. It wires the
 * modules together and owns the reload path (read file, validate, apply), which SIGHUP and
 * {@code POST /api/v1/reload} share.
 */
public final class Appliance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);

    private final Path configFile;
    private final Engine engine;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    // Reloads are serialised and kept off event loops: reading and parsing the file is blocking I/O.
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dicomlb-reload");
        t.setDaemon(true);
        return t;
    });

    private final List<AutoCloseable> alsoClose = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Appliance(Path configFile, Engine engine) {
        this.configFile = configFile;
        this.engine = engine;
    }

    /** Builds and starts everything; on failure nothing is left running. */
    public static Appliance start(Path configFile, RootConfig config, Engine.Options options) throws EngineException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Engine engine = new Engine(options, registry);
        Appliance app = new Appliance(configFile, engine);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        app.gcMetrics.bindTo(registry);
        engine.reloader(app::reloadFromFile);
        try {
            engine.start(config.engine());
        } catch (EngineException | RuntimeException e) {
            app.close();
            throw e;
        }
        LOG.info("dicomlb {} running from {} ({} transport)", VersionProvider.version(), configFile,
                engine.transport().describe());
        return app;
    }

    public Engine engine() {
        return engine;
    }

    /** Re-reads the configuration file and applies it if valid; otherwise keeps running as is. */
    public CompletableFuture<ReloadResult> reloadFromFile() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return RootConfigReader.load(configFile);
            } catch (ConfigException e) {
                throw new RejectedConfig(e.errors());
            }
        }, reloads).thenCompose(c -> engine.apply(c.engine())).exceptionally(err -> {
            Throwable cause = err instanceof java.util.concurrent.CompletionException ? err.getCause() : err;
            if (cause instanceof RejectedConfig r) {
                engine.metrics().reloaded(false);
                r.errors.forEach(e -> LOG.error("reload rejected: {}", e));
                LOG.error("reload rejected with {} error(s); the running configuration is unchanged", r.errors.size());
                return ReloadResult.rejected(r.errors.stream().map(ConfigError::toString).toList());
            }
            LOG.error("reload failed; the running configuration is unchanged", cause);
            return ReloadResult.rejected(List.of(String.valueOf(cause)));
        });
    }

    private static final class RejectedConfig extends RuntimeException {
        final List<ConfigError> errors;

        RejectedConfig(List<ConfigError> errors) {
            super(null, null, false, false);
            this.errors = errors;
        }
    }

    /** Exports how many access-log lines the writer had to drop (a disk that cannot keep up). */
    public void countDroppedAccessLines(org.dicomlb.engine.access.AccessLogWriter writer) {
        io.micrometer.core.instrument.FunctionCounter.builder("dicomlb.access.log.dropped", writer,
                        org.dicomlb.engine.access.AccessLogWriter::dropped)
                .description("Access-log lines dropped because the writer fell 65536 lines behind")
                .register(engine.registry());
    }

    /** Stops accepting and gives open connections {@code grace} to finish. */
    public int drainAndClose(Duration grace) {
        int left = engine.drainAndClose(grace);
        shutdownHelpers();
        return left;
    }

    @Override
    public void close() {
        engine.close();
        shutdownHelpers();
    }

    /** Something started with the appliance that must stop with it (demo backends). */
    public void alsoClose(AutoCloseable c) {
        alsoClose.add(c);
    }

    private void shutdownHelpers() {
        reloads.shutdownNow();
        gcMetrics.close();
        for (AutoCloseable c : alsoClose) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
    }
}
