package org.dicomlb.harness.soak;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dicomlb.config.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/soak}: a soak with faults against the checkout's built dicomlb (docs/soak.md).
 * Exit 0 when every check passed, 1 when one failed or the soak could not run, 2 for bad options.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Soak dicomlb with DICOM and TCP load while backends are killed, reloads run and backends drain.")
public final class SoakCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int BAD_INPUT = 2;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10m",
            description = "how long the load and the faults run, e.g. 45s, 10m, 2h (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--out", paramLabel = "DIR", description = "results directory (default: soak-results/<date-time>)")
    Path out;

    @Option(names = "--dicomlb-home", paramLabel = "DIR", required = true,
            description = "checkout whose ./dicomlb launcher and build to soak")
    Path dicomlbHome;

    @Option(names = "--leak-detection", paramLabel = "LEVEL", defaultValue = Soak.LEAK_DETECTION,
            description = "Netty's buffer leak detection in dicomlb: disabled, simple, advanced or paranoid (default: ${DEFAULT-VALUE})")
    String leakDetection;

    @Option(names = "--dicomlb-jvm-opt", paramLabel = "OPT",
            description = "extra JVM option for dicomlb (repeatable), e.g. --dicomlb-jvm-opt=-XX:+UseParallelGC")
    List<String> jvmOptions = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new SoakCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        SoakSettings settings;
        DicomlbStart start;
        try {
            Duration d = Durations.parse(duration);
            settings = SoakSettings.standard(d);
            if (!List.of("disabled", "simple", "advanced", "paranoid").contains(leakDetection)) {
                throw new IllegalArgumentException("--leak-detection must be disabled, simple, advanced or paranoid");
            }
            List<String> opts = new ArrayList<>(jvmOptions);
            opts.add("-Dio.netty.leakDetection.level=" + leakDetection);
            start = DicomlbStart.launcher(dicomlbHome.toAbsolutePath(), opts);
        } catch (IllegalArgumentException e) {
            err.println("soak: " + e.getMessage());
            return BAD_INPUT;
        }
        Path dir = out != null ? out : Path.of("soak-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        SoakReport report;
        try {
            report = Soak.run(settings, start, dir, err);
        } catch (IOException e) {
            err.println("soak: could not run: " + e.getMessage());
            return FAILURE;
        }
        System.out.println(ReportWriter.markdown(report));
        System.out.flush();
        err.println("soak: " + report.verdict().toUpperCase(java.util.Locale.ROOT) + "; results in "
                + dir.toAbsolutePath().resolve("report.md") + " and report.json");
        return report.passed() ? OK : FAILURE;
    }
}
