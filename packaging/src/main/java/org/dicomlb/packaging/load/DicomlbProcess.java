package org.dicomlb.packaging.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code dicomlb run} started as its own process through a launcher (the packaged {@code bin/dicomlb}
 * or the installed {@code /usr/bin/dicomlb}), its output in a log file. The launcher execs the
 * JVM, so the process is the JVM.
 */
public final class DicomlbProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final long startedAt;

    private DicomlbProcess(Process process, Path log, long startedAt) {
        this.process = process;
        this.log = log;
        this.startedAt = startedAt;
    }

    /**
     * Runs {@code prefix + [launcher, "run", "-c", config] + extraArgs} with {@code env} added to
     * this process's environment.
     */
    public static DicomlbProcess start(List<String> prefix, Path launcher, Path config, List<String> extraArgs,
            Map<String, String> env, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(launcher.toString(), "run", "-c", config.toString()));
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        return new DicomlbProcess(pb.start(), log, t0);
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startedAt() {
        return startedAt;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Resident memory now, from /proc. */
    public long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + process.pid());
    }

    /**
     * CPU time the process has used so far (user + system, all threads), from /proc in clock
     * ticks of 10 ms. Unlike wall-clock time it hardly depends on what else the machine runs.
     */
    public long cpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        // Fields after the command name, which is in parentheses and may contain spaces.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** SIGHUP: dicomlb reloads its configuration. */
    public void hup() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -HUP " + process.pid() + " failed");
        }
    }

    /** SIGTERM and wait up to {@code timeout} for the exit code; -1 if it had to be killed. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return -1;
    }

    /** The last lines of its output, for failure messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
