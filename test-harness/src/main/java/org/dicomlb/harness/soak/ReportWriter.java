package org.dicomlb.harness.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Renders a {@link SoakReport} as Markdown (report.md) and JSON (report.json), and the samples as CSV. */
final class ReportWriter {
    private ReportWriter() {
    }

    static void write(SoakReport r, List<Sample> samples, Path dir) throws IOException {
        Files.writeString(dir.resolve("report.md"), markdown(r));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), r);
        StringBuilder csv = new StringBuilder("seconds,rss_kib,descriptors,idle_flood_open\n");
        for (Sample s : samples) {
            csv.append(String.format(Locale.ROOT, "%.1f,%d,%d,%s%n", s.seconds(), s.rssKib(), s.descriptors(), s.flood()));
        }
        Files.writeString(dir.resolve("samples.csv"), csv);
    }

    static String markdown(SoakReport r) {
        StringBuilder m = new StringBuilder();
        m.append("# dicomlb soak: ").append(r.verdict().toUpperCase(Locale.ROOT)).append("\n\n");
        m.append("| check | result | detail |\n|---|---|---|\n");
        for (SoakReport.Check c : r.checks()) {
            m.append("| ").append(c.name()).append(" | ").append(c.passed() ? "pass" : "**FAIL**").append(" | ")
                    .append(cell(c.detail())).append(" |\n");
        }
        m.append("\n| measure | value |\n|---|---|\n");
        row(m, "load duration", String.format(Locale.ROOT, "%.0f s (whole soak %.0f s)", r.loadSeconds(), r.totalSeconds()));
        for (ClientCounts c : r.clients()) {
            row(m, c.name(), c.succeeded() + " ok, " + c.failed() + " failed" + kinds(c.failures()) + ", " + c.hung() + " hung");
        }
        SoakReport.InstanceCounts i = r.instances();
        row(m, "instances stored (C-STORE success)", i.confirmed() + ", found at a backend: " + i.found() + ", missing: "
                + i.missing());
        row(m, "instances at a backend but unconfirmed (cut by a fault)", Long.toString(i.unconfirmedAtBackends()));
        row(m, "idle floods", Long.toString(r.idleFloods()));
        StringJoiner f = new StringJoiner(", ");
        r.faults().forEach((k, v) -> f.add(k + " " + v));
        row(m, "faults injected", f.toString());
        row(m, "fault problems", r.faultProblems().isEmpty() ? "none" : String.join("; ", r.faultProblems()));
        trend(m, r.rss());
        trend(m, r.descriptors());
        row(m, "dicomlb live heap (after a full collection)", r.liveHeap().earlyKib() + " KiB at "
                + Math.round(r.liveHeap().earlySeconds()) + " s, " + r.liveHeap().lateKib() + " KiB at "
                + Math.round(r.liveHeap().lateSeconds()) + " s (allowed +" + r.liveHeap().allowedKib() + ")");
        row(m, "dicomlb log", r.log().lines() + " lines, " + r.log().rejectedReloadLines() + " rejected-reload ERROR lines (caused), "
                + r.log().unexpectedTotal() + " unexpected; WARN by logger: " + r.log().warningsByLogger());
        StringJoiner s = new StringJoiner(", ");
        r.settings().forEach((k, v) -> s.add(k + " " + v));
        row(m, "settings", s.toString());
        StringJoiner mc = new StringJoiner(", ");
        r.machine().forEach((k, v) -> mc.add(k + " " + v));
        row(m, "machine", mc.toString());
        if (!r.log().unexpected().isEmpty()) {
            m.append("\nUnexpected log lines (first ").append(r.log().unexpected().size()).append("):\n\n```\n");
            r.log().unexpected().forEach(l -> m.append(l).append('\n'));
            m.append("```\n");
        }
        boolean examples = r.clients().stream().anyMatch(c -> !c.examples().isEmpty());
        if (examples) {
            m.append("\nFirst failures seen by clients:\n\n");
            for (ClientCounts c : r.clients()) {
                c.examples().forEach(e -> m.append("- ").append(c.name()).append(": ").append(cell(e)).append('\n'));
            }
        }
        return m.toString();
    }

    private static void trend(StringBuilder m, ResourceTrend t) {
        row(m, t.resource(), "first " + t.first() + ", last " + t.last() + ", max " + t.max() + " " + t.unit()
                + "; early median " + t.early() + ", late median " + t.late() + " (allowed +" + t.allowed() + ")");
    }

    private static String kinds(Map<String, Long> failures) {
        if (failures.isEmpty()) {
            return "";
        }
        StringJoiner j = new StringJoiner(", ", " (", ")");
        failures.forEach((k, v) -> j.add(k + " " + v));
        return j.toString();
    }

    private static void row(StringBuilder m, String k, String v) {
        m.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n");
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
