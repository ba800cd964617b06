package org.dicomlb.harness.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.dicomlb.harness.bench.proxy.DicomlbMode;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.process.PortCheck;
import org.dicomlb.harness.bench.proxy.DicomlbLaunch;
import org.dicomlb.harness.bench.proxy.Proxies;
import org.dicomlb.harness.bench.report.JsonReport;
import org.dicomlb.harness.bench.report.Machine;
import org.dicomlb.harness.bench.report.MarkdownReport;
import org.dicomlb.harness.bench.report.Report;
import org.dicomlb.harness.bench.report.ScenarioResult;
import org.dicomlb.harness.bench.scenario.Scenario;
import org.dicomlb.harness.bench.scenario.Scenarios;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench}: runs the scenarios against direct, dicomlb and HAProxy, alternating, and
 * writes results.md and results.json (with every raw sample) to the output directory.
 * Exit 0 when every scenario ran (targets missed or not), 1 when a scenario could not run,
 * 2 for bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark dicomlb side by side with direct connections and HAProxy on loopback.")
public final class BenchCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int BAD_INPUT = 2;

    @Option(names = "--quick", description = "tiny durations, one repetition, few connections (CI)")
    boolean quick;

    @Option(names = "--only", split = ",", paramLabel = "SCENARIO", description = "run only these scenarios (comma-separated)")
    List<String> only = new ArrayList<>();

    @Option(names = "--reps", paramLabel = "N", description = "repetitions per variant (default: 3, or 1 with --quick)")
    Integer reps;

    @Option(names = "--out", paramLabel = "DIR", description = "results directory (default: bench-results/<date-time>)")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "dicomlb --io-threads and HAProxy nbthread (default: cores)")
    Integer threads;

    @Option(names = "--dicomlb-home", paramLabel = "DIR", required = true,
            description = "checkout whose ./dicomlb launcher and build to benchmark, or an unpacked package"
                    + " (bin/dicomlb with its runtime and AOT cache, e.g. the .tar.gz from packaging)")
    Path dicomlbHome;

    @Option(names = "--dicomlb-jvm-opt", paramLabel = "OPT",
            description = "extra JVM option for dicomlb (repeatable), e.g. --dicomlb-jvm-opt=-XX:StartFlightRecording=filename=x.jfr")
    List<String> dicomlbJvmOptions = new ArrayList<>();

    @Option(names = "--dicomlb-arg", paramLabel = "ARG",
            description = "extra `dicomlb run` argument (repeatable), e.g. --dicomlb-arg=--transport=nio")
    List<String> dicomlbArguments = new ArrayList<>();

    @Option(names = "--dicom-listener-mode", paramLabel = "MODE", defaultValue = "dicom",
            description = "dicomlb listener mode of the DICOM scenarios: dicom or tcp (default: ${DEFAULT-VALUE})")
    DicomlbMode dicomListenerMode;

    @Option(names = "--port-base", paramLabel = "PORT", defaultValue = "17100",
            description = "first of the 20 loopback ports used (default: ${DEFAULT-VALUE})")
    int portBase;

    @Option(names = "--keep-scratch", description = "keep the temporary directory (generated data, access logs)")
    boolean keepScratch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
        List<Scenario> scenarios;
        Profile profile;
        Layout layout;
        DicomlbLaunch launch;
        try {
            if (dicomListenerMode == DicomlbMode.HTTP) {
                throw new IllegalArgumentException("--dicom-listener-mode must be dicom or tcp, not http");
            }
            scenarios = Scenarios.select(only);
            int r = reps != null ? reps : quick ? 1 : 3;
            profile = quick ? Profile.quick(r) : Profile.full(r);
            layout = new Layout(portBase);
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            launch = new DicomlbLaunch(dicomlbHome.toAbsolutePath(), t, dicomlbJvmOptions, dicomlbArguments);
            launch.check();
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            return BAD_INPUT;
        }
        Path dir = out != null ? out : Path.of("bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        // Readable by others: nginx's workers run as www-data and serve a file from here.
        Path scratch = Files.createTempDirectory("dicomlb-bench-",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        long start = System.nanoTime();
        try (Children children = new Children()) {
            PortCheck.requireFree(layout.ports());
            Machine machine = MachineProbe.probe(children, scratch.resolve("probe"));
            err.println("machine: " + machine.describe());
            Proxies proxies = new Proxies(children, layout, launch, dir.resolve("configs"), dir.resolve("logs"), scratch);
            BenchContext ctx = new BenchContext(children, layout, profile, proxies, scratch, dir.resolve("logs"), dicomListenerMode);
            Runner runner = new Runner(ctx, err);
            List<ScenarioResult> results = new ArrayList<>();
            for (Scenario s : scenarios) {
                results.add(runner.run(s));
            }
            Report report = new Report(machine, settings(profile, launch), (System.nanoTime() - start) / 1e9, results);
            String md = MarkdownReport.render(report);
            Files.writeString(dir.resolve("results.md"), md);
            JsonReport.write(report, dir.resolve("results.json"));
            spec.commandLine().getOut().println(md);
            spec.commandLine().getOut().flush();
            err.println("results: " + dir.toAbsolutePath().resolve("results.md") + " and results.json");
            List<String> failed = results.stream().filter(x -> x.failure().isPresent()).map(ScenarioResult::name).toList();
            if (!failed.isEmpty()) {
                err.println("bench: FAILED scenarios: " + failed);
            }
            // Scenarios that ran count as passed whether or not dicomlb met its targets: the harness reports, CI checks it runs.
            err.println("bench: " + (results.size() - failed.size()) + " passed, " + failed.size() + " failed");
            return failed.isEmpty() ? OK : FAILURE;
        } catch (IOException e) {
            err.println("bench: " + e.getMessage());
            return FAILURE;
        } finally {
            if (keepScratch) {
                err.println("scratch kept: " + scratch);
            } else {
                deleteTree(scratch);
            }
        }
    }

    private Map<String, String> settings(Profile profile, DicomlbLaunch launch) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("profile", profile.quick() ? "quick" : "full");
        s.put("repetitions", Integer.toString(profile.repetitions()));
        s.put("measure", profile.measure().toSeconds() + " s");
        s.put("io threads / nbthread", Integer.toString(launch.ioThreads()));
        s.put("dicom listener mode", dicomListenerMode.name().toLowerCase(Locale.ROOT));
        s.put("dicomlb launcher", launch.packaged() ? "packaged (" + launch.launcher() + ", its runtime and AOT cache)" : "source tree (./dicomlb)");
        s.put("dicomlb JVM options", launch.jvmOptions().isEmpty() ? "(launcher defaults)" : String.join(" ", launch.jvmOptions()));
        s.put("dicomlb run arguments", launch.runArguments().isEmpty() ? "(none)" : String.join(" ", launch.runArguments()));
        return s;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
