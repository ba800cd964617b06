package org.dicomlb.harness.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the harness starts, so that all of them die with it: on normal exit, on a failed
 * scenario and on SIGINT/SIGTERM (a JVM shutdown hook). Servers (proxies, backends) and
 * short-lived tools (wrk, iperf3, storescu, echoscu) alike are registered until they exit.
 */
public final class Children implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(3);

    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private final Thread hook = new Thread(this::killAll, "bench-children-reaper");
    private volatile boolean closed;

    public Children() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** What a finished tool run printed and how it exited. */
    public record Exit(List<String> command, int code, String stdout, String stderr, Duration elapsed) {
        public boolean ok() {
            return code == 0;
        }

        /** A one-paragraph explanation for an error message: command, exit code, last output lines. */
        public String describe() {
            return String.join(" ", command) + " exited " + code + "; stderr: " + Text.tail(stderr, 8)
                    + (stdout.isBlank() ? "" : "; stdout: " + Text.tail(stdout, 8));
        }
    }

    /** A tool outlived the bound {@link #run} put on it and was killed. */
    public static final class TimedOut extends IOException {
        TimedOut(String message) {
            super(message);
        }
    }

    /**
     * Runs a tool to completion. It is killed (and the call fails with {@link TimedOut}) when it takes
     * longer than {@code timeout}, so no measurement can hang the run.
     *
     * @param scratch directory for the tool's captured output (files, so a chatty tool can never
     *                block on a full pipe)
     */
    public Exit run(List<String> command, Map<String, String> env, Duration timeout, Path scratch)
            throws IOException, InterruptedException {
        Files.createDirectories(scratch);
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            long start = System.nanoTime();
            Process p = register(pb.start());
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    stop(p);
                    throw new TimedOut(String.join(" ", command) + " did not finish within " + timeout.toSeconds()
                            + " s; killed. stderr: " + Text.tail(Files.readString(err), 8));
                }
            } finally {
                stop(p);
                running.remove(p);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new Exit(List.copyOf(command), p.exitValue(), Files.readString(out), Files.readString(err), elapsed);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Like {@link #run} but fails with the tool's own words when it exits non-zero. */
    public Exit runOk(List<String> command, Map<String, String> env, Duration timeout, Path scratch)
            throws IOException, InterruptedException {
        Exit e = run(command, env, timeout, scratch);
        if (!e.ok()) {
            throw new IOException(e.describe());
        }
        return e;
    }

    /** Starts a long-running server in the foreground of its own process; output goes to {@code log}. */
    public Server start(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = register(pb.start());
        return new Server(name, command, p, log, this);
    }

    private Process register(Process p) throws IOException {
        if (closed) {
            p.destroyForcibly();
            throw new IOException("the harness is shutting down; not starting " + p.info().command().orElse("a process"));
        }
        running.add(p);
        return p;
    }

    /**
     * Stops a process and everything it forked (nginx workers, storescp --fork children):
     * SIGTERM, then SIGKILL for whatever is still alive after a grace period.
     */
    void stop(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle h : tree) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (Exception timedOutOrInterrupted) {
                h.destroyForcibly();
            }
        }
        running.remove(p);
    }

    /**
     * SIGKILL to a process and everything it forked, at once and without a grace period, as a
     * crash would end them; returns when all of them are gone (at most a few seconds).
     */
    void kill(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception timedOutOrInterrupted) {
                // SIGKILL cannot be caught; a process still listed is a zombie its parent reaps.
            }
        }
        running.remove(p);
    }

    private void killAll() {
        closed = true;
        for (Process p : List.copyOf(running)) {
            stop(p);
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or has run; it does the same work.
        }
    }
}
