package org.dicomlb.harness.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.Variant;

/**
 * Writes a {@link Report} as JSON: the machine, the settings, and per scenario and metric the raw
 * samples (in the order taken), medians, ratios and the target verdict. Variant keys are lower
 * case ({@code direct}, {@code dicomlb}, {@code haproxy}).
 */
public final class JsonReport {
    private JsonReport() {
    }

    public static void write(Report r, Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("machine", r.machine());
        root.put("settings", r.settings());
        root.put("seconds", r.seconds());
        List<Object> scenarios = new ArrayList<>();
        for (ScenarioResult s : r.scenarios()) {
            Map<String, Object> sc = new LinkedHashMap<>();
            sc.put("name", s.name());
            sc.put("summary", s.summary());
            sc.put("seconds", s.seconds());
            sc.put("variants", s.variants().stream().map(JsonReport::key).toList());
            sc.put("notes", s.notes());
            sc.put("failure", s.failure().orElse(null));
            List<Object> metrics = new ArrayList<>();
            for (ScenarioResult.Row row : s.rows()) {
                Metric m = row.metric();
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("key", m.key());
                mm.put("label", m.label());
                mm.put("unit", m.unit());
                mm.put("higherIsBetter", m.higherIsBetter());
                mm.put("samples", byVariant(s.samples(m)));
                mm.put("medians", byVariant(row.medians()));
                mm.put(s.peer() == Variant.GDNSD ? "dicomlbToGdnsd" : "dicomlbToHaproxy", row.vsHaproxy().orElse(null));
                for (Variant floor : s.variants()) {
                    if (floor.floor().isPresent()) {
                        row.dicomlbOver(floor).ifPresent(ratio -> mm.put("dicomlbTo_" + key(floor), ratio));
                    }
                }
                mm.put("dicomlbToDirect", row.vsDirect().orElse(null));
                mm.put("target", m.goal().map(Goal::describe).orElse(null));
                mm.put("verdict", row.verdict().map(v -> Map.of("result", v.word(), "detail", v.detail())).orElse(null));
                metrics.add(mm);
            }
            sc.put("metrics", metrics);
            scenarios.add(sc);
        }
        root.put("scenarios", scenarios);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    private static <T> Map<String, T> byVariant(Map<Variant, T> m) {
        Map<String, T> out = new LinkedHashMap<>();
        m.forEach((v, x) -> out.put(key(v), x));
        return out;
    }

    private static String key(Variant v) {
        return v.name().toLowerCase(java.util.Locale.ROOT);
    }
}
