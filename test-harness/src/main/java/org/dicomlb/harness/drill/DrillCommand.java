package org.dicomlb.harness.drill;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.dicomlb.harness.soak.DicomlbStart;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/drill}: the site-failure drill against the checkout's built dicomlb
 * (docs/deployment.md). Exit 0 when every check passed, 1 when one failed (an instance with a
 * success status missing from every archive among them) or the drill could not run, 2 for bad options.
 */
@Command(name = "drill", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Two hospital sites in network namespaces, each with an appliance pair, GSLB and archive; "
                + "fail site A six ways while two modalities store, and check nothing was lost.")
public final class DrillCommand implements Callable<Integer> {
    @Option(names = "--scenarios", paramLabel = "LIST",
            description = "which scenarios run, in order (default: 1,2,3,4,5,6; with --short: 1,2); 5 and 6 go together")
    String scenarios;

    @Option(names = "--short", description = "the CI form's phase lengths (brief holds) instead of the full drill's")
    boolean brief;

    @Option(names = "--out", paramLabel = "DIR", description = "results directory (default: drill-results/<date-time>)")
    Path out;

    @Option(names = "--dicomlb-home", paramLabel = "DIR", required = true,
            description = "checkout whose ./dicomlb launcher and build the appliances run")
    Path dicomlbHome;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DrillCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        DrillSettings settings;
        DicomlbStart start;
        try {
            settings = brief ? DrillSettings.ci() : DrillSettings.full();
            if (scenarios != null) {
                settings = settings.withScenarios(Scenario.parse(scenarios));
            }
            start = DicomlbStart.launcher(dicomlbHome.toAbsolutePath(), List.of());
        } catch (IllegalArgumentException e) {
            err.println("drill: " + e.getMessage());
            return 2;
        }
        Path dir = out != null ? out
                : Path.of("drill-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        DrillReport report;
        try {
            report = Drill.run(settings, start, dir, err);
        } catch (IOException | IllegalStateException e) {
            // IllegalStateException: a missing tool (named, with scripts/install-test-deps.sh) or not root
            err.println("drill: could not run: " + e.getMessage());
            return 1;
        }
        String md = DrillTable.markdown(report);
        Files.writeString(dir.resolve("report.md"), md);
        System.out.println(md);
        System.out.flush();
        err.println("drill: " + (report.passed() ? "PASS" : "FAIL") + "; " + report.missingTotal()
                + " instance(s) with a success status missing; results in " + dir.toAbsolutePath().resolve("report.md"));
        DrillTable.failedChecks(report).forEach(f -> err.println("drill: failed: " + f));
        return report.passed() ? 0 : 1;
    }
}
