package org.dicomlb.harness.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.dicomlb.harness.peers.Listening;

/** A long-running child (proxy or backend) started by {@link Children}; closing stops it and its children. */
public final class Server implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path log;
    private final Children children;

    Server(String name, List<String> command, Process process, Path log, Children children) {
        this.name = name;
        this.command = List.copyOf(command);
        this.process = process;
        this.log = log;
        this.children = children;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /**
     * Waits until the server listens on {@code port} (seen in the kernel's socket table, so the
     * check sends no traffic that a one-test-at-a-time server like iperf3 could mistake for a
     * client). Fails early, quoting the server's log, when it exits instead.
     */
    public void awaitListening(int port, Duration timeout) throws IOException, InterruptedException {
        await(() -> Listening.onPort(port), "listening on port " + port, timeout);
    }

    /** {@link #awaitListening}, stopping the server when it does not come up; returns this server. */
    public Server readyOn(int port, Duration timeout) throws IOException, InterruptedException {
        return readyWhen(() -> Listening.onPort(port), "listening on port " + port, timeout);
    }

    /** The same for a UDP-only server: ready once it has bound UDP port {@code port}. */
    public Server readyOnUdp(int port, Duration timeout) throws IOException, InterruptedException {
        return readyWhen(() -> Listening.onUdpPort(port), "bound to UDP port " + port, timeout);
    }

    private Server readyWhen(BooleanSupplier ready, String what, Duration timeout) throws IOException, InterruptedException {
        try {
            await(ready, what, timeout);
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void await(BooleanSupplier ready, String what, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " before " + what
                        + "; command: " + String.join(" ", command) + "; log " + log + ": " + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " is not " + what + " after " + timeout.toSeconds() + " s; log " + log + ": " + logTail());
            }
            Thread.sleep(50);
        }
    }

    /** Fails when the server died (e.g. crashed under load), quoting its log. */
    public void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IOException(name + " died (exit " + process.exitValue() + "); log " + log + ": " + logTail());
        }
    }

    /** Resident set size of the process, from {@code VmRSS} in /proc/PID/status, in KiB. */
    public long residentKib() throws IOException {
        checkAlive();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no VmRSS line in /proc/" + process.pid() + "/status");
    }

    /** Open file descriptors of the process: the entries of /proc/PID/fd. */
    public int openDescriptors() throws IOException {
        checkAlive();
        try (var fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return (int) fds.count();
        }
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process and everything it forked with SIGKILL, as a crash would (see {@link Children}). */
    public void kill() {
        children.kill(process);
    }

    /** CPU time (user and system, all threads) the process has used so far; clock-tick resolution (10 ms). */
    public Duration cpuTime() throws IOException {
        checkAlive();
        return process.info().totalCpuDuration()
                .orElseThrow(() -> new IOException("the CPU time of " + name + " (pid " + process.pid() + ") is not readable"));
    }

    /**
     * Time on CPU (user and system, from {@code /proc/PID/task/TID/schedstat}, nanoseconds) of the
     * process's live threads whose name starts with {@code namePrefix} ("" for all). Threads that
     * exited are not in it, so take it for threads that live as long as the process.
     */
    public Duration threadCpuTime(String namePrefix) throws IOException {
        checkAlive();
        long nanos = 0;
        for (Path task : tasks(process.pid())) {
            try {
                if (Files.readString(task.resolve("comm")).strip().startsWith(namePrefix)) {
                    nanos += Long.parseLong(Files.readString(task.resolve("schedstat")).strip().split("\\s+")[0]);
                }
            } catch (IOException gone) {
                // The thread ended while we listed them: its files vanish (ENOENT), or one
                // opened just before it ended can no longer be read (ESRCH).
            }
        }
        return Duration.ofNanos(nanos);
    }

    /**
     * The context switches of the live threads of this process and of every process it forked
     * (nginx's workers under its master). Threads that exited are not in it, so take it for
     * threads that live as long as the process.
     */
    public ContextSwitches contextSwitches() throws IOException {
        checkAlive();
        ContextSwitches sum = new ContextSwitches(0, 0);
        List<Long> pids = Stream.concat(Stream.of(process.pid()), process.descendants().map(ProcessHandle::pid)).toList();
        for (long pid : pids) {
            List<Path> tasks;
            try {
                tasks = tasks(pid);
            } catch (IOException gone) {
                continue;  // a forked process that ended meanwhile
            }
            for (Path task : tasks) {
                try {
                    sum = sum.plus(switchesOf(task));
                } catch (IOException gone) {
                    // The thread ended while we listed them (see threadCpuTime).
                }
            }
        }
        return sum;
    }

    /** One thread's counts, from the two lines of its {@code status} that hold them. */
    private static ContextSwitches switchesOf(Path task) throws IOException {
        long voluntary = 0;
        long involuntary = 0;
        for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return new ContextSwitches(voluntary, involuntary);
    }

    /** The thread directories of process {@code pid}, {@code /proc/PID/task/TID}. */
    private static List<Path> tasks(long pid) throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.toList();
        }
    }

    public String logTail() {
        try {
            return Text.tail(Files.readString(log), 12);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        children.stop(process);
    }
}
