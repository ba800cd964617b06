package org.dicomlb.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.config.ConfigException;
import org.dicomlb.config.Durations;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.AccessLogWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code dicomlb run -c FILE}: the appliance in the foreground. SIGHUP reloads; SIGTERM and
 * SIGINT drain (stop accepting, let connections finish for the grace period) and exit; a second
 * SIGTERM/SIGINT exits at once.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the load balancer in the foreground. SIGHUP reloads the file; SIGTERM drains and exits.")
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "configuration file (YAML)")
    Path config;

    @CommandLine.Mixin
    RuntimeOptions runtime;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        RootConfig c;
        try {
            c = RootConfigReader.load(config);
        } catch (ConfigException e) {
            e.errors().forEach(spec.commandLine().getErr()::println);
            spec.commandLine().getErr().printf("%d error(s); not started%n", e.errors().size());
            return ExitCodes.BAD_INPUT;
        }
        return runUntilSignalled(spec, runtime, accessLog -> Appliance.start(config.toAbsolutePath(), c, runtime.options(), accessLog));
    }

    /** Something that starts an appliance (run and demo share the signal handling). */
    @FunctionalInterface
    interface Starter {
        Appliance start(AccessLog accessLog) throws EngineException;
    }

    static int runUntilSignalled(CommandLine.Model.CommandSpec spec, RuntimeOptions runtime, Starter starter) {
        Duration grace;
        try {
            grace = Durations.parse(runtime.shutdownGrace);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("--shutdown-grace: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        AccessLogWriter accessLog;
        try {
            accessLog = new AccessLogWriter(runtime.accessLog);
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("dicomlb: cannot open the access log " + runtime.accessLog + ": " + e);
            return ExitCodes.FAILURE;
        }
        // Signal handlers go in before the appliance starts: its listeners serve as soon as they
        // are bound, and a SIGHUP in the window before a handler exists would take the JVM's
        // default action for it, which is to exit. A SIGHUP or SIGTERM during the start is
        // carried out as soon as the start is done.
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger stops = new AtomicInteger();
        sun.misc.SignalHandler onStop = s -> {
            if (stops.incrementAndGet() == 1) {
                LOG.info("SIG{} received: draining (grace {}); send it again to exit now", s.getName(), Durations.format(grace));
                stop.countDown();
            } else {
                LOG.warn("SIG{} received again: exiting now", s.getName());
                Logging.flush();
                Runtime.getRuntime().halt(ExitCodes.FAILURE);
            }
        };
        sun.misc.SignalHandler previousTerm = Signal.handle(new Signal("TERM"), onStop);
        sun.misc.SignalHandler previousInt = Signal.handle(new Signal("INT"), onStop);
        AtomicReference<Appliance> started = new AtomicReference<>();
        AtomicBoolean reloadWhenStarted = new AtomicBoolean();
        sun.misc.SignalHandler previous = Signal.handle(new Signal("HUP"), s -> {
            // Whichever of this handler and the end of the start takes the flag does the reload.
            reloadWhenStarted.set(true);
            Appliance running = started.get();
            if (running == null) {
                LOG.info("SIGHUP received while starting: the configuration is reloaded once the start is done");
            } else if (reloadWhenStarted.getAndSet(false)) {
                LOG.info("SIGHUP received: reloading the configuration and reopening the access log");
                accessLog.reopen();
                running.reload();
            }
        });
        if (previous == sun.misc.SignalHandler.SIG_IGN) {
            // The JVM leaves a signal alone that the process started with ignored (nohup does
            // that): our handler was not installed and kill -HUP would reload nothing.
            LOG.warn("SIGHUP is ignored by this process (started under nohup?), so kill -HUP will not reload;"
                    + " reload with 'dicomlb reload' or POST /api/v1/reload instead");
        }
        try {
            Appliance app;
            try {
                app = starter.start(accessLog);
            } catch (EngineException | RuntimeException e) {
                accessLog.close();
                spec.commandLine().getErr().println("dicomlb: cannot start: " + (e instanceof EngineException ? e.getMessage() : e));
                return ExitCodes.FAILURE;
            }
            app.countDroppedAccessLines(accessLog);
            started.set(app);
            if (reloadWhenStarted.getAndSet(false)) {
                LOG.info("reloading the configuration: SIGHUP received while starting");
                accessLog.reopen();
                app.reload();
            }
            // Listeners and the admin API are bound: a Type=notify unit counts as started from here.
            SystemdNotify.ready();
            boolean interrupted = false;
            while (stop.getCount() > 0) {
                try {
                    stop.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            SystemdNotify.stopping();
            int left = app.drainAndClose(grace);
            if (left > 0) {
                LOG.warn("grace period over: closed {} connection(s) still open", left);
            }
            accessLog.close();
            LOG.info("stopped");
            Logging.flush();
            return ExitCodes.OK;
        } finally {
            // The handlers belong to this run: whoever called it (a test in a longer-lived JVM)
            // gets the ones it had.
            Signal.handle(new Signal("TERM"), previousTerm);
            Signal.handle(new Signal("INT"), previousInt);
            if (previous != sun.misc.SignalHandler.SIG_IGN) {
                Signal.handle(new Signal("HUP"), previous);
            }
        }
    }

    /** Options shared by run and demo. */
    static final class RuntimeOptions {
        @Option(names = "--access-log", paramLabel = "FILE",
                description = "append the access log (one line per connection) to FILE instead of stdout; "
                        + "SIGHUP reopens it (log rotation)")
        Path accessLog;

        @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
                description = "event loop threads (default: one per core)")
        int ioThreads;

        enum Affinity { auto, off }

        @Option(names = "--cpu-affinity", paramLabel = "auto|off", defaultValue = "off",
                description = "auto: each event loop thread bound to a CPU of its own, when there are no more of them "
                        + "than CPUs the process may use (for a machine of its own); off: the kernel places them "
                        + "(default: ${DEFAULT-VALUE})")
        Affinity cpuAffinity;

        enum TransportChoice { epoll, nio }

        @Option(names = "--transport", paramLabel = "epoll|nio", defaultValue = "epoll",
                description = "I/O transport: epoll (falls back to nio where unavailable) or nio")
        TransportChoice transport;

        @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "30s",
                description = "on SIGTERM, how long open connections may continue (default: ${DEFAULT-VALUE})")
        String shutdownGrace;

        @Option(names = "--runtime-dir", paramLabel = "DIR",
                description = "runtime files, e.g. keepalived's for a vip: section (default: $RUNTIME_DIRECTORY, else /run/dicomlb)")
        java.nio.file.Path runtimeDir;

        Appliance.Options options() {
            return new Appliance.Options(Math.max(0, ioThreads), transport == TransportChoice.epoll,
                    cpuAffinity == Affinity.auto,
                    runtimeDir != null ? runtimeDir.toAbsolutePath() : Appliance.Options.defaultRuntimeDir());
        }

    }
}
