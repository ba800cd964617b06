package org.dicomlb.packaging.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.dicomlb.packaging.load.DicomlbProcess;
import org.dicomlb.packaging.load.EchoTraffic;
import org.dicomlb.packaging.load.Rig;

/**
 * How warm a freshly started packaged dicomlb is, with and without the AOT cache, measured side
 * by side in alternation: time from process start to the first accepted association (a C-ECHO
 * relayed to a simulated archive), associations per second in the first 10 s after start and
 * after a warm-up, and resident memory when idle after start.
 *
 * <p>Usage: {@code WarmStart LAUNCHER OUT_DIR [REPS [WARMUP_SECONDS]]}. Variants: {@code aot} (the
 * launcher as shipped), {@code aot-classes} (the same cache without replaying the training run's
 * method profiles), {@code cds} (no AOT cache, a default CDS archive of the JDK's classes
 * instead, what {@code jlink --generate-cds-archive} would ship), {@code none} (neither, the
 * runtime image as built). Load: 16 associations in flight from lb-dicom's SCU in this JVM,
 * which is warmed against the archive directly first. Loopback only.
 */
public final class WarmStart {
    private static final int CONCURRENCY = 16;
    private static final Duration FIRST_WINDOW = Duration.ofSeconds(10);
    private static final Duration STEADY_WINDOW = Duration.ofSeconds(10);

    private WarmStart() {
    }

    record Sample(String variant, double startToFirstMs, double firstWindowPerSec, double steadyPerSec, double idleRssMiB,
            int failures, double cpuToFirstMs, double firstWindowCpuUs, double steadyCpuUs) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: WarmStart LAUNCHER OUT_DIR [REPS [WARMUP_SECONDS]]");
            System.exit(2);
        }
        Path launcher = Path.of(args[0]).toAbsolutePath();
        Path out = Files.createDirectories(Path.of(args[1]));
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Duration warmup = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 40);
        Path java = launcher.getParent().getParent().resolve("runtime/bin/java");
        Path baseCds = out.resolve("base.jsa");
        Process dump = new ProcessBuilder(java.toString(), "-XX:+UseSerialGC", "-Xshare:dump",
                "-XX:SharedArchiveFile=" + baseCds).redirectErrorStream(true).redirectOutput(out.resolve("cds-dump.log").toFile()).start();
        if (!dump.waitFor(5, TimeUnit.MINUTES) || dump.exitValue() != 0) {
            throw new IllegalStateException("java -Xshare:dump failed, see " + out.resolve("cds-dump.log"));
        }
        Map<String, Map<String, String>> variants = new LinkedHashMap<>();
        variants.put("aot", Map.of());
        // The same cache with the training run's method profiles unused: classes only.
        variants.put("aot-classes", Map.of("DICOMLB_JAVA_OPTS", "-XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining"));
        variants.put("cds", Map.of("DICOMLB_AOT", "0", "DICOMLB_JAVA_OPTS", "-XX:SharedArchiveFile=" + baseCds));
        variants.put("none", Map.of("DICOMLB_AOT", "0", "DICOMLB_JAVA_OPTS", "-Xshare:off"));

        List<Sample> samples = new ArrayList<>();
        try (Rig rig = Rig.start(); EchoTraffic echo = new EchoTraffic()) {
            // This JVM's own code must not be what is cold.
            echo.run(rig.firstArchive(), CONCURRENCY, 50_000, System.nanoTime() + TimeUnit.SECONDS.toNanos(8));
            List<String> names = new ArrayList<>(variants.keySet());
            for (int rep = 0; rep < reps; rep++) {
                for (int i = 0; i < names.size(); i++) {
                    String v = names.get((i + rep) % names.size());
                    Sample s = once(v, variants.get(v), launcher, rig, echo, out, rep, warmup);
                    samples.add(s);
                    System.out.printf(Locale.ROOT, "%s rep %d: first association %.0f ms (CPU %.0f ms), first 10 s %.0f/s"
                            + " (CPU %.0f us/assoc), after warm-up %.0f/s (CPU %.0f us/assoc), idle RSS %.1f MiB, %d failed%n",
                            v, rep + 1, s.startToFirstMs(), s.cpuToFirstMs(), s.firstWindowPerSec(), s.firstWindowCpuUs(),
                            s.steadyPerSec(), s.steadyCpuUs(), s.idleRssMiB(), s.failures());
                }
            }
        }
        String table = table(samples, variants.keySet(), reps, warmup);
        Files.writeString(out.resolve("results.md"), table);
        System.out.println();
        System.out.print(table);
    }

    private static Sample once(String variant, Map<String, String> env, Path launcher, Rig rig, EchoTraffic echo, Path out,
            int rep, Duration warmup) throws Exception {
        double idleRss = idleRss(variant, env, launcher, rig, echo, out, rep);
        Rig.Listeners at = Rig.Listeners.fresh();
        Path config = rig.writeConfig(out.resolve(variant + "-" + rep + ".yaml"), at);
        try (DicomlbProcess p = DicomlbProcess.start(List.of(), launcher, config, List.of("--shutdown-grace", "1s"), env,
                out.resolve(variant + "-" + rep + ".log"))) {
            long t0 = p.startedAt();
            Optional<Long> first = echo.firstSuccess(at.dicomAddress(), t0 + TimeUnit.SECONDS.toNanos(60), Duration.ofMillis(5));
            if (first.isEmpty()) {
                throw new IllegalStateException(variant + ": no association within 60 s:\n" + p.tail(30));
            }
            long cpuAtFirst = p.cpuMillis();
            long firstWindowEnd = t0 + FIRST_WINDOW.toNanos();
            EchoTraffic.Result early = echo.run(at.dicomAddress(), CONCURRENCY, 1_000_000, firstWindowEnd);
            long cpuAtTen = p.cpuMillis();
            int inFirst = 1 + early.succeededBy(firstWindowEnd);
            echo.run(at.dicomAddress(), CONCURRENCY, 10_000_000, t0 + FIRST_WINDOW.toNanos() + warmup.toNanos());
            long steadyStart = System.nanoTime();
            long cpuAtSteady = p.cpuMillis();
            long steadyEnd = steadyStart + STEADY_WINDOW.toNanos();
            EchoTraffic.Result steady = echo.run(at.dicomAddress(), CONCURRENCY, 10_000_000, steadyEnd);
            long cpuAtEnd = p.cpuMillis();
            p.stop(Duration.ofSeconds(30));
            int inSteady = steady.succeeded();
            return new Sample(variant, (first.get() - t0) / 1e6, inFirst / (FIRST_WINDOW.toNanos() / 1e9),
                    steady.succeededBy(steadyEnd) / (STEADY_WINDOW.toNanos() / 1e9), idleRss, early.failed() + steady.failed(),
                    cpuAtFirst, (cpuAtTen - cpuAtFirst) * 1000.0 / Math.max(1, early.succeeded()),
                    (cpuAtEnd - cpuAtSteady) * 1000.0 / Math.max(1, inSteady));
        }
    }

    /** RSS of a fresh process 5 s after its first association, with nothing else going on. */
    private static double idleRss(String variant, Map<String, String> env, Path launcher, Rig rig, EchoTraffic echo, Path out,
            int rep) throws Exception {
        Rig.Listeners at = Rig.Listeners.fresh();
        Path config = rig.writeConfig(out.resolve(variant + "-idle-" + rep + ".yaml"), at);
        try (DicomlbProcess p = DicomlbProcess.start(List.of(), launcher, config, List.of("--shutdown-grace", "1s"), env,
                out.resolve(variant + "-idle-" + rep + ".log"))) {
            if (echo.firstSuccess(at.dicomAddress(), p.startedAt() + TimeUnit.SECONDS.toNanos(60), Duration.ofMillis(20)).isEmpty()) {
                throw new IllegalStateException(variant + ": no association within 60 s:\n" + p.tail(30));
            }
            Thread.sleep(5000);
            double rss = p.rssKiB() / 1024.0;
            p.stop(Duration.ofSeconds(30));
            return rss;
        }
    }

    private static String table(List<Sample> samples, Iterable<String> variants, int reps, Duration warmup) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Warm start of the packaged dicomlb, %s, %d cores, load average %s, %d rep(s) per variant"
                + " in alternation, medians (min-max)%n%n", Instant.now(), Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0], reps));
        long after = warmup.toSeconds() + FIRST_WINDOW.toSeconds();
        b.append("| variant | start to first association (ms) | dicomlb CPU until then (ms) | associations/s, first 10 s")
                .append(" | CPU per association, first 10 s (µs) | associations/s after ").append(after)
                .append(" s | CPU per association after ").append(after).append(" s (µs) | idle RSS (MiB) | failed |\n");
        b.append("|---|---|---|---|---|---|---|---|---|\n");
        for (String v : variants) {
            List<Sample> vs = samples.stream().filter(s -> s.variant().equals(v)).toList();
            b.append("| ").append(v)
                    .append(" | ").append(stat(vs.stream().mapToDouble(Sample::startToFirstMs).toArray(), "%.0f"))
                    .append(" | ").append(stat(vs.stream().mapToDouble(Sample::cpuToFirstMs).toArray(), "%.0f"))
                    .append(" | ").append(stat(vs.stream().mapToDouble(Sample::firstWindowPerSec).toArray(), "%.0f"))
                    .append(" | ").append(stat(vs.stream().mapToDouble(Sample::firstWindowCpuUs).toArray(), "%.0f"))
                    .append(" | ").append(stat(vs.stream().mapToDouble(Sample::steadyPerSec).toArray(), "%.0f"))
                    .append(" | ").append(stat(vs.stream().mapToDouble(Sample::steadyCpuUs).toArray(), "%.0f"))
                    .append(" | ").append(stat(vs.stream().mapToDouble(Sample::idleRssMiB).toArray(), "%.0f"))
                    .append(" | ").append(vs.stream().mapToInt(Sample::failures).sum()).append(" |\n");
        }
        return b.toString();
    }

    private static String stat(double[] xs, String fmt) {
        double[] sorted = xs.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return String.format(Locale.ROOT, fmt + " (" + fmt + "-" + fmt + ")", median, sorted[0], sorted[sorted.length - 1]);
    }
}
