package org.dicomlb.vip;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomlb.config.Durations;
import org.dicomlb.vip.config.VipAddress;
import org.dicomlb.vip.config.VipConfig;
import org.dicomlb.vip.internal.AtomicFiles;
import org.dicomlb.vip.internal.Executables;
import org.dicomlb.vip.internal.KeepalivedConf;
import org.dicomlb.vip.internal.KeepalivedProcess;
import org.dicomlb.vip.internal.NotifyFifo;
import org.dicomlb.vip.internal.NotifyLine;
import org.dicomlb.vip.internal.VipMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The floating VIP of this appliance: keepalived's VRRP as a supervised child process, driven by
 * dicomlb's own view of whether this node can serve.
 *
 * <ul>
 *   <li>{@link #apply} writes keepalived's configuration from the {@code vip:} section into the
 *       runtime directory (atomically; keepalived checks it with {@code -t} first), then starts
 *       keepalived in the foreground or reloads it with SIGHUP. It completes when keepalived
 *       reports a VRRP state; a missing binary, a refused configuration or a keepalived that exits
 *       at once fails it and leaves what ran before in place.</li>
 *   <li>keepalived runs under {@code setpriv --pdeathsig TERM}: when dicomlb dies, even by
 *       SIGKILL, the kernel sends keepalived SIGTERM, which makes it send a priority 0 advert and
 *       remove the VIP, so the peer takes over after its skew time.</li>
 *   <li>If keepalived dies, it is started again after a backoff (doubling, bounded).</li>
 *   <li>A track file tells keepalived what only dicomlb knows: when a tracked listener is not
 *       bound or a tracked pool has no eligible backend, this node's priority drops by the
 *       configured amount. A master that stops being able to serve first goes to FAULT for a moment
 *       (a priority 0 advert: the peer takes the VIP at once, and no overlap), then settles as a
 *       backup with the lowered priority. Evaluated every check interval and on
 *       {@link #servingChanged()}; never a forked check script.</li>
 *   <li>keepalived's notify FIFO is read on a thread of its own into {@link #status()}, the
 *       {@code dicomlb.vip.*} meters and one log line per transition.</li>
 * </ul>
 *
 * <p>All state changes run on one control thread, which is also the thread that starts keepalived
 * (the parent-death signal follows the thread that forked, so it must live as long as keepalived).
 */
public final class VipRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VipRuntime.class);

    /**
     * How the runtime runs keepalived.
     *
     * @param runtimeDir     where the generated configuration, track file, notify FIFO and pid files live
     * @param configSource   what the configuration came from (a file name), for the generated file's header
     * @param keepalived     the keepalived binary (a name looked up on PATH and in sbin, or a path)
     * @param setpriv        util-linux's setpriv, which sets the parent-death signal before keepalived starts
     * @param mkfifo         coreutils' mkfifo, run once to create the notify FIFO
     * @param kill           the kill command, run to send keepalived SIGHUP on a reload
     * @param launcher       a command prefix for keepalived (tests run it in a network namespace with
     *                       {@code ip netns exec NAME}); empty in production
     * @param checkInterval  how often tracked listeners and pools are evaluated
     * @param startupTimeout how long keepalived may take to check its configuration or report a state
     * @param stopTimeout    how long keepalived may take to stop on SIGTERM before SIGKILL
     * @param minBackoff     the first restart delay after keepalived died
     * @param maxBackoff     the longest restart delay
     */
    public record Options(Path runtimeDir, String configSource, String keepalived, String setpriv, String mkfifo,
                          String kill, List<String> launcher, Duration checkInterval, Duration startupTimeout,
                          Duration stopTimeout, Duration minBackoff, Duration maxBackoff) {
        public Options {
            Objects.requireNonNull(runtimeDir, "runtimeDir");
            Objects.requireNonNull(configSource, "configSource");
            Objects.requireNonNull(keepalived, "keepalived");
            Objects.requireNonNull(setpriv, "setpriv");
            Objects.requireNonNull(mkfifo, "mkfifo");
            Objects.requireNonNull(kill, "kill");
            launcher = List.copyOf(launcher);
            for (Duration d : List.of(checkInterval, startupTimeout, stopTimeout, minBackoff, maxBackoff)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("durations must be positive");
                }
            }
            if (minBackoff.compareTo(maxBackoff) > 0) {
                throw new IllegalArgumentException("minBackoff must not exceed maxBackoff");
            }
        }

        /** Production defaults: binaries from PATH/sbin, checks every 500 ms, restarts from 500 ms to 30 s. */
        public static Options defaults(Path runtimeDir, String configSource) {
            return new Options(runtimeDir, configSource, "keepalived", "setpriv", "mkfifo", "kill", List.of(),
                    Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(8), Duration.ofMillis(500),
                    Duration.ofSeconds(30));
        }

        public Options withKeepalived(String binary) {
            return new Options(runtimeDir, configSource, binary, setpriv, mkfifo, kill, launcher, checkInterval,
                    startupTimeout, stopTimeout, minBackoff, maxBackoff);
        }

        public Options withLauncher(List<String> prefix) {
            return new Options(runtimeDir, configSource, keepalived, setpriv, mkfifo, kill, prefix, checkInterval,
                    startupTimeout, stopTimeout, minBackoff, maxBackoff);
        }

        public Options withCheckInterval(Duration d) {
            return new Options(runtimeDir, configSource, keepalived, setpriv, mkfifo, kill, launcher, d,
                    startupTimeout, stopTimeout, minBackoff, maxBackoff);
        }

        public Options withBackoff(Duration min, Duration max) {
            return new Options(runtimeDir, configSource, keepalived, setpriv, mkfifo, kill, launcher, checkInterval,
                    startupTimeout, stopTimeout, min, max);
        }
    }

    /** Keepalived that ran at least this long before dying restarts from the shortest backoff again. */
    private static final Duration STABLE_RUN = Duration.ofSeconds(60);

    private final ServingView serving;
    private final Options options;
    private final Path confFile;
    private final Path trackFile;
    private final Path fifoFile;
    private final Path pidFile;
    private final Path vrrpPidFile;
    private final Path reloadFile;
    private final ScheduledThreadPoolExecutor control;
    private final AtomicReference<VipStatus> published;
    private final AtomicBoolean evaluationQueued = new AtomicBoolean();
    private final VipMeters meters;

    // ---- control-thread state ----------------------------------------------------------------
    private NotifyFifo fifo;
    private VipConfig config;
    private String confText;
    private KeepalivedProcess proc;
    private KeepalivedProcess stopping;
    private long epochs;
    private long fifoEpoch;
    private PendingStart pendingStart;
    private Pending reload;
    private VipState state = VipState.STOPPED;
    private Instant since = Instant.now();
    private Integer effectivePriority;
    private boolean servable = true;
    private List<String> reasons = List.of();
    private boolean demoted;
    private boolean pulsing;
    private ScheduledFuture<?> pulseEnd;
    private int trackWritten = Integer.MIN_VALUE;
    private int restarts;
    private String lastExit;
    private Duration backoff;
    private ScheduledFuture<?> restartTask;
    private ScheduledFuture<?> checks;
    private boolean supervising;
    private boolean closed;

    /** A start (by {@link #apply} or a restart) waiting for keepalived's first report. */
    private record PendingStart(long epoch, CompletableFuture<VipStatus> future, VipConfig previous,
                                ScheduledFuture<?> timeout) {
    }

    /** A reload waiting for keepalived to have read its configuration; {@code timeout} is the poll. */
    private record Pending(long epoch, CompletableFuture<VipStatus> future, ScheduledFuture<?> timeout) {
    }

    /** Told of every state change, on the thread that learned it; must not block. */
    private final java.util.List<java.util.function.BiConsumer<VipState, VipState>> transitions =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public VipRuntime(ServingView serving, MeterRegistry registry, Options options) {
        this.serving = Objects.requireNonNull(serving, "serving");
        this.options = Objects.requireNonNull(options, "options");
        Path dir = options.runtimeDir().toAbsolutePath();
        this.confFile = dir.resolve("keepalived.conf");
        this.trackFile = dir.resolve("serving.track");
        this.fifoFile = dir.resolve("notify.fifo");
        this.pidFile = dir.resolve("keepalived.pid");
        this.vrrpPidFile = dir.resolve("keepalived_vrrp.pid");
        this.reloadFile = dir.resolve("keepalived.reload");
        this.backoff = options.minBackoff();
        this.control = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "dicomlb-vip");
            t.setDaemon(true);
            return t;
        });
        control.setRemoveOnCancelPolicy(true);
        this.published = new AtomicReference<>(buildStatus());
        this.meters = new VipMeters(Objects.requireNonNull(registry, "registry"), published);
    }

    // ---- API ----------------------------------------------------------------------------------

    /**
     * Calls {@code listener} with (from, to) on every state change from now on, on the thread that
     * learned it (never an event loop); it must not block.
     */
    public void onTransition(java.util.function.BiConsumer<VipState, VipState> listener) {
        transitions.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Applies a {@code vip:} section: starts keepalived, or reloads it when the generated
     * configuration changed. Completes with the status once keepalived reports a VRRP state; fails
     * with a {@link VipException} (and changes nothing that was running) when it cannot be applied.
     */
    public CompletableFuture<VipStatus> apply(VipConfig c) {
        Objects.requireNonNull(c, "config");
        CompletableFuture<VipStatus> f = new CompletableFuture<>();
        run(f, () -> doApply(c, f));
        return f;
    }

    /**
     * Checks a section the way {@link #apply} would before touching anything (keepalived and its
     * helpers installed, keepalived accepting the generated configuration), changing nothing. The
     * root calls it before applying the rest of a reload, so a section keepalived refuses rejects
     * the whole reload.
     */
    public CompletableFuture<Void> check(VipConfig c) {
        Objects.requireNonNull(c, "config");
        CompletableFuture<Void> f = new CompletableFuture<>();
        CompletableFuture<VipStatus> failures = new CompletableFuture<>();
        failures.whenComplete((x, e) -> f.completeExceptionally(e));
        run(failures, () -> {
            Path keepalived = executable(options.keepalived(), "keepalived", "keepalived");
            executable(options.setpriv(), "setpriv", "util-linux");
            executable(options.kill(), "kill", "procps");
            prepareRuntimeDir();
            Path candidate = confFile.resolveSibling("keepalived.conf.check");
            Files.writeString(candidate, KeepalivedConf.render(c, fifoFile, trackFile, reloadFile, options.configSource()),
                    StandardCharsets.US_ASCII);
            try {
                configTest(keepalived, candidate);
            } finally {
                Files.deleteIfExists(candidate);
            }
            f.complete(null);
        });
        return f;
    }

    /** Stops keepalived (the VIP leaves this node) and forgets the configuration: the section was removed. */
    public CompletableFuture<VipStatus> disable() {
        CompletableFuture<VipStatus> f = new CompletableFuture<>();
        run(f, () -> {
            config = null;
            confText = null;
            supervising = false;
            cancel(restartTask);
            failPending(new VipException("the vip: section was removed"));
            KeepalivedProcess p = proc;
            if (p == null) {
                f.complete(publish());
                return;
            }
            LOG.info("vip: section removed; stopping keepalived, the VIP leaves this node");
            stopProcess(p).whenComplete((x, e) -> control.execute(guard(() -> {
                exited(p);
                f.complete(publish());
            })));
        });
        return f;
    }

    /**
     * Demotes this node for maintenance (its priority drops; as master it hands the VIP to the peer
     * at once) or ends the demotion. Held in memory: a restarted dicomlb is not demoted.
     */
    public CompletableFuture<VipStatus> demote(boolean demote) {
        CompletableFuture<VipStatus> f = new CompletableFuture<>();
        run(f, () -> {
            if (demoted != demote) {
                LOG.warn(demote ? "vip: demoted by an operator; this node's priority drops and the peer takes the VIP"
                        : "vip: demotion ended; this node's priority is restored");
            }
            demoted = demote;
            evaluate();
            f.complete(publish());
        });
        return f;
    }

    /** The root saw a tracked listener or pool change; evaluate now rather than at the next check. */
    public void servingChanged() {
        if (evaluationQueued.compareAndSet(false, true)) {
            try {
                control.execute(guard(() -> {
                    evaluationQueued.set(false);
                    evaluate();
                }));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                evaluationQueued.set(false);
            }
        }
    }

    /** The current picture; cheap, from any thread. */
    public VipStatus status() {
        return published.get();
    }

    /**
     * Stops keepalived (SIGTERM: priority 0 advert, VIP removed; SIGKILL after the stop timeout)
     * and the runtime's threads. Not from the runtime's own threads.
     */
    @Override
    public void close() {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        try {
            control.execute(() -> {
                closed = true;
                cancel(checks);
                cancel(restartTask);
                cancel(pulseEnd);
                failPending(new VipException("the VIP runtime is closing"));
                KeepalivedProcess p = proc;
                if (p == null) {
                    stopped.complete(null);
                } else {
                    stopProcess(p).whenComplete((x, e) -> stopped.complete(null));
                }
            });
            stopped.get(options.stopTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // already closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("vip: keepalived did not stop in time: {}", e.toString());
        }
        control.shutdownNow();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (fifo != null) {
            fifo.close();
        }
        meters.close();
    }

    // ---- apply --------------------------------------------------------------------------------

    private void doApply(VipConfig c, CompletableFuture<VipStatus> f) throws IOException {
        if (closed) {
            throw new VipException("the VIP runtime is closed");
        }
        Path keepalived = executable(options.keepalived(), "keepalived", "keepalived");
        Path setpriv = executable(options.setpriv(), "setpriv", "util-linux");
        executable(options.kill(), "kill", "procps");
        prepareRuntimeDir();
        if (pendingStart != null && proc != null && proc.alive()) {
            // keepalived is still starting (a SIGHUP before it handles signals would end it): apply
            // once it has reported, which happens within the startup timeout or it is stopped.
            control.schedule(() -> run(f, () -> doApply(c, f)), 50, TimeUnit.MILLISECONDS);
            return;
        }
        String text = KeepalivedConf.render(c, fifoFile, trackFile, reloadFile, options.configSource());
        if (text.equals(confText) && proc != null && proc.alive()) {
            // Only what dicomlb itself uses changed (tracked names, the drop): no reload needed.
            config = c;
            evaluate();
            f.complete(publish());
            return;
        }
        Path candidate = confFile.resolveSibling("keepalived.conf.new");
        Files.writeString(candidate, text, StandardCharsets.US_ASCII);
        try {
            configTest(keepalived, candidate);
        } catch (VipException | IOException e) {
            Files.deleteIfExists(candidate);
            throw e;
        }
        VipConfig previous = config;
        config = c;
        trackWritten = Integer.MIN_VALUE;
        // A master that the new section makes unable to serve hands over as on any other change.
        evaluate();
        Files.move(candidate, confFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        confText = text;
        if (proc != null && proc.alive()) {
            reload(f);
        } else {
            cancel(restartTask);
            try {
                startProcess(keepalived, setpriv, f, previous);
            } catch (VipException | IOException e) {
                config = previous;
                confText = null;
                if (previous != null && supervising) {
                    restartTask = control.schedule(guard(this::restart), backoff.toMillis(), TimeUnit.MILLISECONDS);
                }
                throw e;
            }
        }
        if (checks == null) {
            long ms = options.checkInterval().toMillis();
            checks = control.scheduleWithFixedDelay(guard(this::evaluate), ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    private Path executable(String name, String what, String debianPackage) {
        return Executables.find(name).orElseThrow(() -> new VipException("cannot run the VIP: " + what + " ('" + name
                + "') is not installed or not executable; install the Debian package " + debianPackage));
    }

    private void prepareRuntimeDir() throws IOException {
        Path dir = confFile.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (fifo == null) {
            Path mkfifo = executable(options.mkfifo(), "mkfifo", "coreutils");
            fifo = NotifyFifo.open(fifoFile, mkfifo, line -> {
                try {
                    control.execute(guard(() -> onNotify(line)));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    LOG.debug("vip: closed; dropping notify line {}", line);
                }
            });
        }
    }

    /** {@code keepalived -t}: keepalived's own verdict on the file before it replaces the running one. */
    private void configTest(Path keepalived, Path candidate) throws IOException {
        List<String> cmd = new ArrayList<>(options.launcher());
        cmd.addAll(List.of(keepalived.toString(), "--config-test", "--use-file=" + candidate));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(options.startupTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new VipException("keepalived --config-test did not finish within " + Durations.format(options.startupTimeout()));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new VipException("interrupted while keepalived checked its configuration");
        }
        if (p.exitValue() != 0) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .replace(candidate.toString(), confFile.toString()).strip();
            throw new VipException("keepalived refuses the configuration generated from the vip: section (exit status "
                    + p.exitValue() + "): " + (out.isEmpty() ? "no message" : String.join("; ", out.lines().toList())));
        }
    }

    // ---- the process --------------------------------------------------------------------------

    private void startProcess(Path keepalived, Path setpriv, CompletableFuture<VipStatus> f, VipConfig previous)
            throws IOException {
        stopLeftovers();
        long epoch = ++epochs;
        fifo.write(NotifyLine.marker(epoch));
        List<String> cmd = new ArrayList<>(options.launcher());
        cmd.addAll(List.of(setpriv.toString(), "--pdeathsig", "TERM", "--", keepalived.toString(),
                "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp",
                "--use-file=" + confFile, "--pid=" + pidFile, "--vrrp_pid=" + vrrpPidFile));
        KeepalivedProcess p;
        try {
            p = KeepalivedProcess.start(cmd, epoch);
        } catch (IOException e) {
            throw new VipException("cannot start keepalived: " + e.getMessage(), e);
        }
        proc = p;
        effectivePriority = null;
        transition(VipState.STARTING);
        LOG.info("vip: keepalived started (pid {}) for {} on {}", p.pid(), addresses(), config.interfaceName());
        p.onExit().whenComplete((x, e) -> control.execute(guard(() -> exited(p))));
        ScheduledFuture<?> timeout = control.schedule(guard(() -> startTimedOut(epoch)),
                options.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
        pendingStart = new PendingStart(epoch, f, previous, timeout);
        publish();
    }

    private void startTimedOut(long epoch) {
        PendingStart s = pendingStart;
        if (s == null || s.epoch() != epoch || proc == null || proc.generation() != epoch) {
            return;
        }
        LOG.error("vip: keepalived (pid {}) reported no VRRP state within {}; stopping it", proc.pid(),
                Durations.format(options.startupTimeout()));
        proc.kill();
    }

    /** keepalived ended: expected (we stopped it) or not (start it again after a backoff). */
    private void exited(KeepalivedProcess p) {
        if (p == stopping) {
            stopping = null;
        }
        if (p != proc) {
            return;
        }
        proc = null;
        effectivePriority = null;
        transition(VipState.STOPPED);
        if (p.stopRequested() && pendingStart == null) {
            publish();
            return;
        }
        List<String> tail = p.tail();
        String how = "exited with status " + p.exitValue();
        PendingStart s = pendingStart;
        if (s != null && s.epoch() == p.generation()) {
            pendingStart = null;
            cancel(s.timeout());
            if (!supervising) {
                // The first start of this configuration: a clear startup error, nothing left running.
                config = s.previous();
                confText = null;
                publish();
                if (s.future() != null) {
                    s.future().completeExceptionally(new VipException("keepalived " + how + " before reporting a VRRP state"
                            + (tail.isEmpty() ? "" : "; its last lines: " + String.join(" | ", tail))));
                }
                return;
            }
            if (s.future() != null) {
                s.future().completeExceptionally(new VipException("keepalived " + how + " before reporting a VRRP state; "
                        + "restarting it" + (tail.isEmpty() ? "" : "; its last lines: " + String.join(" | ", tail))));
            }
        }
        if (closed || config == null) {
            publish();
            return;
        }
        restarts++;
        lastExit = Instant.now() + " " + how;
        if (Duration.between(p.started(), Instant.now()).compareTo(STABLE_RUN) >= 0) {
            backoff = options.minBackoff();
        }
        Duration delay = backoff;
        backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff() : backoff.multipliedBy(2);
        LOG.error("vip: keepalived (pid {}) {}; starting it again in {}. Its last lines: {}", p.pid(), how,
                Durations.format(delay), String.join(" | ", tail));
        restartTask = control.schedule(guard(this::restart), delay.toMillis(), TimeUnit.MILLISECONDS);
        publish();
    }

    private void restart() {
        restartTask = null;
        if (closed || config == null || proc != null) {
            return;
        }
        try {
            startProcess(executable(options.keepalived(), "keepalived", "keepalived"),
                    executable(options.setpriv(), "setpriv", "util-linux"), null, config);
        } catch (VipException | IOException e) {
            restarts++;
            lastExit = Instant.now() + " " + e.getMessage();
            Duration delay = backoff;
            backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff() : backoff.multipliedBy(2);
            LOG.error("vip: cannot start keepalived again ({}); next try in {}", e.getMessage(), Durations.format(delay));
            restartTask = control.schedule(guard(this::restart), delay.toMillis(), TimeUnit.MILLISECONDS);
            publish();
        }
    }

    /** SIGTERM now, SIGKILL after the stop timeout; completes when the process has exited. */
    private CompletableFuture<Void> stopProcess(KeepalivedProcess p) {
        stopping = p;
        p.stop();
        ScheduledFuture<?> force = control.schedule(() -> {
            if (p.alive()) {
                LOG.warn("vip: keepalived (pid {}) did not stop within {}; killing it", p.pid(),
                        Durations.format(options.stopTimeout()));
                p.kill();
            }
        }, options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return p.onExit().thenRun(() -> force.cancel(false));
    }

    /**
     * A keepalived from an earlier dicomlb that is still running (its parent died before the
     * death signal was armed, or its VRRP child outlived a SIGKILLed parent) would fight the new
     * one over the VIP: stop it first. Only a process whose command line names our configuration
     * file is touched.
     */
    private void stopLeftovers() {
        for (Path f : List.of(pidFile, vrrpPidFile)) {
            Optional<ProcessHandle> h = readPid(f).flatMap(ProcessHandle::of);
            if (h.isEmpty() || !h.get().isAlive()) {
                continue;
            }
            boolean ours = h.get().info().commandLine().map(cl -> cl.contains(confFile.toString())).orElse(false)
                    || h.get().info().arguments().map(a -> String.join(" ", a).contains(confFile.toString())).orElse(false);
            if (!ours) {
                continue;
            }
            LOG.warn("vip: a keepalived left from an earlier run (pid {}) still runs; stopping it", h.get().pid());
            h.get().destroy();
            try {
                h.get().onExit().get(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                h.get().destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                LOG.debug("waiting for pid {}: {}", h.get().pid(), e.toString());
            }
        }
    }

    private static Optional<Long> readPid(Path f) {
        try {
            return Optional.of(Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * SIGHUP, confirmed through keepalived's reload file: we create it, keepalived truncates it
     * when it starts reading its configuration and deletes it when it has read it. (The notify
     * FIFO is no confirmation: a master that stays master reports nothing on a reload.)
     */
    private void reload(CompletableFuture<VipStatus> f) throws IOException {
        if (reload != null) {
            cancel(reload.timeout());
            reload.future().complete(publish());
            reload = null;
        }
        Files.writeString(reloadFile, "dicomlb\n", StandardCharsets.US_ASCII);
        Process k = new ProcessBuilder(List.of(executable(options.kill(), "kill", "procps").toString(), "-s", "HUP",
                Long.toString(proc.pid()))).redirectErrorStream(true).start();
        try {
            if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
                k.destroyForcibly();
                throw new VipException("cannot send keepalived (pid " + proc.pid() + ") SIGHUP");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VipException("interrupted while reloading keepalived");
        }
        long epoch = ++epochs;
        long deadline = System.nanoTime() + options.startupTimeout().toNanos();
        ScheduledFuture<?> poll = control.scheduleWithFixedDelay(guard(() -> {
            Pending r = reload;
            if (r == null || r.epoch() != epoch) {
                return;
            }
            if (!Files.exists(reloadFile)) {
                cancel(r.timeout());
                reload = null;
                LOG.info("vip: keepalived (pid {}) has read the new configuration", proc == null ? "-" : proc.pid());
                // A master that stays master reports nothing after a reload; it runs with the new base
                // priority plus the track file's adjustment, clamped as keepalived clamps it.
                if (config != null && trackWritten != Integer.MIN_VALUE && trackWritten != KeepalivedConf.FAULT_VALUE) {
                    effectivePriority = Math.clamp(config.priority() + trackWritten, 1, VipConfig.MAX_PRIORITY);
                }
                r.future().complete(publish());
            } else if (System.nanoTime() > deadline) {
                cancel(r.timeout());
                reload = null;
                r.future().completeExceptionally(new VipException("keepalived did not read its configuration within "
                        + Durations.format(options.startupTimeout()) + " of SIGHUP; " + confFile + " is in place"));
            }
        }), 20, 20, TimeUnit.MILLISECONDS);
        reload = new Pending(epoch, f, poll);
        LOG.info("vip: configuration changed; keepalived (pid {}) reloads it", proc.pid());
    }

    // ---- notify FIFO --------------------------------------------------------------------------

    private void onNotify(NotifyLine line) {
        switch (line) {
            case NotifyLine.Marker m -> fifoEpoch = m.generation();
            case NotifyLine.Report r -> report(r);
            case NotifyLine.Close c -> { }
        }
    }

    private void report(NotifyLine.Report r) {
        if (!r.kind().equals("INSTANCE") || !r.name().equals(KeepalivedConf.INSTANCE)) {
            return;
        }
        if (proc == null || fifoEpoch < proc.generation()) {
            LOG.debug("vip: ignoring a report from an earlier keepalived: {} {}", r.what(), r.priority());
            return;
        }
        VipState to;
        switch (r.what()) {
            case "MASTER" -> to = VipState.MASTER;
            case "BACKUP" -> to = VipState.BACKUP;
            case "FAULT" -> to = VipState.FAULT;
            case "STOP" -> to = VipState.STOPPED;
            case "MASTER_PRIORITY", "BACKUP_PRIORITY" -> {
                effectivePriority = r.priority();
                publish();
                return;
            }
            default -> {
                LOG.debug("vip: keepalived reports {} (priority {})", r.what(), r.priority());
                return;
            }
        }
        effectivePriority = r.priority();
        transition(to);
        if (pulsing && (to == VipState.FAULT || to == VipState.BACKUP)) {
            endPulse();
        }
        VipStatus now = publish();
        PendingStart s = pendingStart;
        if (s != null && fifoEpoch >= s.epoch()) {
            pendingStart = null;
            cancel(s.timeout());
            supervising = true;
            if (s.future() != null) {
                s.future().complete(now);
            }
        }
    }

    private void transition(VipState to) {
        if (to == state) {
            return;
        }
        VipState from = state;
        state = to;
        since = Instant.now();
        for (var t : transitions) {
            try {
                t.accept(from, to);
            } catch (RuntimeException e) {
                LOG.warn("vip: a transition listener failed on {} -> {}", from, to, e);
            }
        }
        if (config == null) {
            LOG.info("vip: {} -> {}", from, to);
            return;
        }
        String prio = effectivePriority == null ? "" : " (priority " + effectivePriority + ")";
        if (to == VipState.MASTER) {
            LOG.info("vip: {} -> MASTER{}: this node holds {} on {}", from, prio, addresses(), config.interfaceName());
        } else if (from == VipState.MASTER) {
            LOG.warn("vip: MASTER -> {}{}: {} left this node", to, prio, addresses());
        } else if (to == VipState.FAULT) {
            LOG.warn("vip: {} -> FAULT{}: this node cannot take the VIP{}", from, prio, pulsing ? " (handing it over)" : "");
        } else {
            LOG.info("vip: {} -> {}{}", from, to, prio);
        }
    }

    // ---- tracking -----------------------------------------------------------------------------

    /**
     * Asks the serving view about every tracked item and writes the priority adjustment. A master
     * that has just lost the ability to serve first goes to FAULT, which hands the VIP over at
     * once; it is edge-triggered, so two nodes that both cannot serve do not pass the VIP back and
     * forth.
     */
    private void evaluate() {
        VipConfig c = config;
        if (c == null || closed) {
            return;
        }
        List<String> why = new ArrayList<>();
        if (demoted) {
            why.add("demoted by an operator");
        }
        for (String l : c.tracking().listeners()) {
            if (!ask(() -> serving.listenerBound(l), "listener '" + l + "'")) {
                why.add("listener '" + l + "' is not bound");
            }
        }
        for (String p : c.tracking().pools()) {
            if (!ask(() -> serving.poolServable(p), "pool '" + p + "'")) {
                why.add("pool '" + p + "' has no eligible backend");
            }
        }
        boolean now = why.isEmpty();
        boolean fell = servable && !now;
        if (!why.equals(reasons)) {
            if (now) {
                LOG.info("vip: this node can serve again; priority {} restored", c.priority());
            } else {
                LOG.warn("vip: this node cannot serve ({}); priority drops by {}", String.join(", ", why),
                        c.tracking().priorityDrop());
            }
        }
        servable = now;
        reasons = List.copyOf(why);
        int desired = now ? 0 : -c.tracking().priorityDrop();
        if (fell && state == VipState.MASTER && proc != null && proc.alive()) {
            pulsing = true;
            writeTrack(KeepalivedConf.FAULT_VALUE);
            long ms = Math.max(1000, c.advertInterval().toMillis() * 10);
            cancel(pulseEnd);
            pulseEnd = control.schedule(guard(this::endPulse), ms, TimeUnit.MILLISECONDS);
        } else if (!pulsing) {
            writeTrack(desired);
        }
        publish();
    }

    private boolean ask(java.util.function.BooleanSupplier q, String what) {
        try {
            return q.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("vip: cannot tell whether {} can serve; counting it as not serving", what, e);
            return false;
        }
    }

    /** The hand-over is done (keepalived left MASTER) or timed out: settle on the lowered priority. */
    private void endPulse() {
        if (!pulsing) {
            return;
        }
        pulsing = false;
        cancel(pulseEnd);
        if (config != null) {
            writeTrack(servable ? 0 : -config.tracking().priorityDrop());
        }
    }

    private void writeTrack(int value) {
        if (value == trackWritten) {
            return;
        }
        try {
            AtomicFiles.write(trackFile, value + "\n");
            trackWritten = value;
        } catch (IOException e) {
            trackWritten = Integer.MIN_VALUE;
            LOG.error("vip: cannot write the track file {}: {}", trackFile, e.toString());
        }
    }

    // ---- status -------------------------------------------------------------------------------

    private VipStatus publish() {
        VipStatus s = buildStatus();
        published.set(s);
        return s;
    }

    private VipStatus buildStatus() {
        VipConfig c = config;
        KeepalivedProcess p = proc;
        return new VipStatus(c != null, state, since.toString(), c == null ? null : c.interfaceName(),
                c == null ? List.of() : c.addresses().stream().map(VipAddress::toString).toList(),
                c == null ? 0 : c.virtualRouterId(), c == null ? 0 : c.priority(), effectivePriority,
                c != null && servable, c == null ? List.of() : reasons, demoted,
                p == null ? null : p.pid(), restarts, lastExit);
    }

    private String addresses() {
        return config == null ? "" : String.join(", ", config.addresses().stream().map(VipAddress::toString).toList());
    }

    // ---- plumbing -----------------------------------------------------------------------------

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Runs a step on the control thread; a failure completes {@code f} instead of killing the thread. */
    private void run(CompletableFuture<VipStatus> f, Step step) {
        try {
            control.execute(() -> {
                try {
                    step.run();
                } catch (VipException e) {
                    publish();
                    f.completeExceptionally(e);
                } catch (Exception e) {
                    publish();
                    f.completeExceptionally(new VipException("vip: " + e.getMessage(), e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(new VipException("the VIP runtime is closed"));
        }
    }

    /** Timer and callback tasks: log a failure, never let it end the control thread. */
    private static Runnable guard(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("vip: control task failed", e);
            }
        };
    }

    private void failPending(VipException e) {
        if (pendingStart != null && pendingStart.future() != null) {
            pendingStart.future().completeExceptionally(e);
        }
        pendingStart = null;
        if (reload != null) {
            reload.future().completeExceptionally(e);
            reload = null;
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
