package org.dicomlb.harness.drill;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.dicomlb.harness.drill.DrillReport.Check;
import org.dicomlb.harness.drill.DrillReport.ModalityFigures;
import org.dicomlb.harness.drill.DrillReport.ScenarioReport;

/** The drill's report as Markdown: the table of the scenarios, then the checks and what was seen. */
final class DrillTable {
    private DrillTable() {
    }

    static String markdown(DrillReport r) {
        StringBuilder md = new StringBuilder();
        md.append("# dicomlb site-failure drill: ").append(r.passed() ? "PASS" : "FAIL").append("\n\n");
        md.append(table(r)).append('\n');
        md.append("Next success: from the fault to the end of the modality's first association started after it that "
                + "got a success status for every instance. Failed: associations (for the DNS-aware modality: a "
                + "resolution, then an association) that failed visibly and ended in the scenario's window, by how "
                + "(attempts.csv lists every attempt). "
                + "Missing: instances that got a success status but are in neither archive. Settings: ")
                .append(r.settings()).append(".\n\n");
        md.append("## Checks\n\n");
        for (Check c : r.checks()) {
            md.append("- ").append(c.passed() ? "pass" : "**FAIL**").append(": ")
                    .append(c.scenario() == 0 ? "" : "(" + c.scenario() + ") ").append(c.name()).append(" — ")
                    .append(c.detail()).append('\n');
        }
        md.append("\n## Seen on the way\n\n");
        for (ScenarioReport s : r.scenarios()) {
            for (String o : s.observations()) {
                md.append("- (").append(s.number()).append(") ").append(o).append('\n');
            }
            for (ModalityFigures m : s.modalities()) {
                if (!m.missingExamples().isEmpty()) {
                    md.append("- (").append(s.number()).append(") ").append(m.modality()).append(" missing: ")
                            .append(String.join(", ", m.missingExamples())).append('\n');
                }
            }
        }
        md.append("\n## Machine\n\n");
        r.machine().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> md.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n'));
        return md.toString();
    }

    /** Only the table of the scenarios (docs/deployment.md quotes it). */
    static String table(DrillReport r) {
        StringBuilder md = new StringBuilder();
        md.append("| scenario | modality | next success after | failed associations | success status | missing | stored at A / B |\n");
        md.append("|---|---|---:|---|---:|---:|---|\n");
        for (ScenarioReport s : r.scenarios()) {
            boolean first = true;
            for (ModalityFigures m : s.modalities()) {
                md.append("| ").append(first ? s.number() + ". " + s.title() : "").append(" | ").append(m.modality())
                        .append(" | ").append(m.nextSuccessSeconds() == null ? "never"
                                : String.format(Locale.ROOT, "%.1f s", m.nextSuccessSeconds()))
                        .append(" | ").append(m.failed()).append(kinds(m.failedKinds()))
                        .append(" | ").append(m.confirmed())
                        .append(" | ").append(m.missing() == 0 ? "0" : "**" + m.missing() + "**")
                        .append(" | ").append(m.atA()).append(" / ").append(m.atB()).append(" |\n");
                first = false;
            }
        }
        return md.toString();
    }

    private static String kinds(Map<String, Integer> kinds) {
        if (kinds.isEmpty()) {
            return "";
        }
        return " (" + kinds.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")) + ")";
    }

    static List<String> failedChecks(DrillReport r) {
        return r.checks().stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
    }
}
