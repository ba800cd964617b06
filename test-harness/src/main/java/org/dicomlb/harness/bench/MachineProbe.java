package org.dicomlb.harness.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.report.Machine;

/** Describes this machine and the versions of the peers, from /proc and the tools themselves. */
final class MachineProbe {
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+(\\.\\d+)?[\\w.+~-]*");

    private MachineProbe() {
    }

    static Machine probe(Children children, Path scratch) throws IOException, InterruptedException {
        return new Machine(
                OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                memTotalKib() / 1024,
                Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                "HAProxy " + version(children, scratch, "haproxy", "-v"),
                "nginx " + version(children, scratch, "nginx", "-v"),
                "wrk " + version(children, scratch, "wrk", "-v"),
                "iperf3 " + version(children, scratch, "iperf3", "--version"),
                "DCMTK " + version(children, scratch, "storescu", "--version"),
                String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")).subList(0, 3)));
    }

    private static String cpuModel() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown CPU";
    }

    private static long memTotalKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no MemTotal in /proc/meminfo");
    }

    /** The first version-looking token a tool prints about itself (some print it on stderr, some exit 1). */
    private static String version(Children children, Path scratch, String... command) throws IOException, InterruptedException {
        Children.Exit e = children.run(List.of(command), Map.of(), Duration.ofSeconds(10), scratch);
        Matcher m = VERSION.matcher(e.stdout() + "\n" + e.stderr());
        if (!m.find()) {
            throw new IOException("cannot tell the version of " + command[0] + ": " + e.describe());
        }
        return m.group();
    }
}
