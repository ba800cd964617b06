package org.dicomlb.harness.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A long-running peer process (storescp, Orthanc ...) with its output in a log file. Closing it
 * stops the process and every process it forked (storescp {@code --fork} children); a JVM
 * shutdown hook stops whatever a crashed test left running.
 */
public final class PeerProcess implements AutoCloseable {
    private static final Set<PeerProcess> RUNNING = ConcurrentHashMap.newKeySet();
    private static final int PORT_ATTEMPTS = 3;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(RUNNING).forEach(PeerProcess::close),
                "peer-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final int port;

    private PeerProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts {@code command.apply(port)} on a free port and waits until it listens there. A
     * port taken by someone else between picking and binding makes the peer exit; then another
     * port is tried, up to three.
     */
    public static PeerProcess startListening(String name, Path workDir, IntFunction<List<String>> command,
            Duration startTimeout) {
        ExitedEarly last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int port = FreePorts.pick();
            PeerProcess peer = start(name + "-" + port, workDir, command.apply(port), port);
            try {
                peer.awaitListening(startTimeout);
                return peer;
            } catch (ExitedEarly e) {
                last = e;
            } catch (RuntimeException e) {
                peer.close();
                throw e;
            }
        }
        throw last;
    }

    /**
     * Starts {@code command} that listens on the given {@code port} (e.g. a peer restarted where
     * it was) and waits until it listens there.
     */
    public static PeerProcess startListeningOn(String name, Path workDir, List<String> command, int port,
            Duration startTimeout) {
        PeerProcess peer = start(name + "-" + port, workDir, command, port);
        try {
            peer.awaitListening(startTimeout);
            return peer;
        } catch (RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    private static PeerProcess start(String name, Path workDir, List<String> command, int port) {
        try {
            Files.createDirectories(workDir);
            Path logs = Files.createDirectories(workDir.resolve("logs"));
            Path log = logs.resolve(name + ".log");
            Process p = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            PeerProcess peer = new PeerProcess(name, p, log, port);
            RUNNING.add(peer);
            return peer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void awaitListening(Duration timeout) {
        awaitListening(port, timeout);
    }

    /** Waits until the process listens on {@code port} too (a second port such as an HTTP API). */
    public void awaitListening(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                RUNNING.remove(this);
                throw new ExitedEarly(name + " exited with " + process.exitValue() + " before listening on "
                        + port + ":\n" + log());
            }
            if (Listening.onPort(port)) {
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException(name + " did not listen on port " + port + " within " + timeout + ":\n" + log());
    }

    public int port() {
        return port;
    }

    /** Everything the process printed so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<log unreadable: " + e + ">";
        }
    }

    @Override
    public void close() {
        RUNNING.remove(this);
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : children) {
                child.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The peer died before it listened, usually because another process took its port. */
    private static final class ExitedEarly extends IllegalStateException {
        ExitedEarly(String message) {
            super(message);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
