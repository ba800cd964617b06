package org.dicomlb.harness.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dicomlb.harness.bench.Variant;

/** Renders a {@link Report} as the Markdown that goes to the terminal, results.md and docs/benchmarks.md. */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    public static String render(Report r) {
        StringBuilder b = new StringBuilder();
        b.append("**Machine:** ").append(r.machine().describe()).append("  \n");
        b.append("**Run:** ").append(r.machine().date()).append(", ");
        r.settings().forEach((k, v) -> b.append(k).append(' ').append(v).append(", "));
        b.append(String.format(Locale.ROOT, "%.0f s in all.%n%n", r.seconds()));
        b.append(table(r.scenarios()));
        appendNotes(b, r.scenarios());
        return b.toString();
    }

    /** The results table alone (one row per metric). */
    public static String table(List<ScenarioResult> scenarios) {
        StringBuilder b = new StringBuilder();
        // The peer column is HAProxy for the proxy scenarios and gdnsd for the DNS one.
        b.append("| scenario | metric | direct | dicomlb | HAProxy / gdnsd | dicomlb÷peer | dicomlb÷direct | target | verdict |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
        for (ScenarioResult s : scenarios) {
            if (s.failure().isPresent()) {
                b.append("| ").append(s.name()).append(" | **FAILED** (see below) | | | | | | | |\n");
                continue;
            }
            for (ScenarioResult.Row row : s.rows()) {
                Map<Variant, Double> m = row.medians();
                b.append("| ").append(row.scenario())
                        .append(" | ").append(row.metric().label()).append(" (").append(row.metric().unit()).append(')')
                        .append(" | ").append(cell(m, Variant.DIRECT))
                        .append(" | ").append(cell(m, Variant.DICOMLB))
                        .append(" | ").append(cell(m, s.peer()))
                        .append(" | ").append(row.vsHaproxy().map(Numbers::ratio).orElse("–"))
                        .append(" | ").append(row.vsDirect().map(Numbers::ratio).orElse("–"))
                        .append(" | ").append(row.metric().goal().map(Goal::describe).orElse(""))
                        .append(" | ").append(row.verdict().map(v -> v.word() + " (" + v.detail() + ")").orElse(""))
                        .append(" |\n");
            }
        }
        return b.toString();
    }

    private static String cell(Map<Variant, Double> medians, Variant v) {
        Double d = medians.get(v);
        return d == null ? "–" : Numbers.format(d);
    }

    private static void appendNotes(StringBuilder b, List<ScenarioResult> scenarios) {
        b.append("\nMedians of the repetitions; variants alternate within each repetition.\n");
        for (ScenarioResult s : scenarios) {
            String floors = floors(s);
            if (s.notes().isEmpty() && s.failure().isEmpty() && floors.isEmpty()) {
                continue;
            }
            b.append("\n- **").append(s.name()).append("**: ");
            s.failure().ifPresent(f -> b.append("FAILED: ").append(f).append(' '));
            b.append(String.join(" ", s.notes()));
            b.append(s.notes().isEmpty() || floors.isEmpty() ? "" : " ").append(floors);
        }
        b.append('\n');
    }

    /**
     * The medians of the scenario's floors ({@link Variant#floor}), which have no column: each
     * metric with dicomlb's ratio to it. Empty when the scenario has none or failed.
     */
    static String floors(ScenarioResult s) {
        if (s.failure().isPresent()) {
            return "";
        }
        List<ScenarioResult.Row> rows = s.rows();
        StringBuilder out = new StringBuilder();
        for (Variant v : s.variants()) {
            if (v.floor().isEmpty()) {
                continue;
            }
            StringBuilder b = new StringBuilder();
            for (ScenarioResult.Row row : rows) {
                Double floor = row.medians().get(v);
                if (floor == null) {
                    continue;
                }
                b.append(b.isEmpty() ? "" : "; ").append(row.metric().label()).append(' ').append(Numbers.format(floor))
                        .append(' ').append(row.metric().unit());
                row.dicomlbOver(v).ifPresent(r -> b.append(" (dicomlb÷floor ").append(Numbers.ratio(r)).append(')'));
            }
            if (!b.isEmpty()) {
                out.append(out.isEmpty() ? "" : " ").append(v.label()).append(" (").append(v.floor().get()).append("): ").append(b).append('.');
            }
        }
        return out.toString();
    }
}
