package org.dicomlb.harness.bench.report;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.dicomlb.harness.bench.Variant;

/**
 * The samples of one scenario, by metric and variant, in the order they were taken, plus notes
 * (what load was offered, which tool) and the failure that stopped it, if any.
 */
public final class ScenarioResult {
    private final String name;
    private final String summary;
    private final List<Metric> metrics;
    private final List<Variant> variants;
    private final Map<String, Map<Variant, List<Double>>> samples = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private String failure;
    private double seconds;

    public ScenarioResult(String name, String summary, List<Metric> metrics, List<Variant> variants) {
        this.name = name;
        this.summary = summary;
        this.metrics = List.copyOf(metrics);
        this.variants = List.copyOf(variants);
        for (Metric m : metrics) {
            samples.put(m.key(), new EnumMap<>(Variant.class));
        }
    }

    /** Records one measurement; it must carry exactly the scenario's metrics that apply to {@code variant}. */
    public void add(Variant variant, Map<String, Double> values) {
        Set<String> expected = new TreeSet<>();
        metrics.stream().filter(m -> m.appliesTo(variant)).forEach(m -> expected.add(m.key()));
        if (!values.keySet().equals(expected)) {
            throw new IllegalArgumentException("scenario " + name + " measured " + new TreeSet<>(values.keySet())
                    + " via " + variant.label() + " but declares " + expected);
        }
        values.forEach((k, v) -> samples.get(k).computeIfAbsent(variant, x -> new ArrayList<>()).add(v));
    }

    public void note(String note) {
        notes.add(note);
    }

    public void failed(String why) {
        this.failure = why;
    }

    public void seconds(double s) {
        this.seconds = s;
    }

    public String name() {
        return name;
    }

    public String summary() {
        return summary;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    public List<Variant> variants() {
        return variants;
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    public double seconds() {
        return seconds;
    }

    public Map<Variant, List<Double>> samples(Metric m) {
        return samples.get(m.key());
    }

    /** Medians of the variants that have samples for {@code m}. */
    public Map<Variant, Double> medians(Metric m) {
        Map<Variant, Double> out = new EnumMap<>(Variant.class);
        samples(m).forEach((v, s) -> {
            if (!s.isEmpty()) {
                out.put(v, Numbers.median(s));
            }
        });
        return out;
    }

    /** One line of the results table per metric. */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Metric m : metrics) {
            Map<Variant, Double> med = medians(m);
            Verdict verdict = m.goal().map(g -> g.judge(med)).orElse(null);
            rows.add(new Row(name, m, med, ratio(med, peer()), ratio(med, Variant.DIRECT), Optional.ofNullable(verdict)));
        }
        return rows;
    }

    /** The server dicomlb is compared with: gdnsd in the DNS scenario, HAProxy elsewhere. */
    public Variant peer() {
        return variants().contains(Variant.GDNSD) ? Variant.GDNSD : Variant.HAPROXY;
    }

    private static Optional<Double> ratio(Map<Variant, Double> med, Variant reference) {
        Double d = med.get(Variant.DICOMLB);
        Double r = med.get(reference);
        return d == null || r == null || r == 0 ? Optional.empty() : Optional.of(d / r);
    }

    /** A metric's medians and ratios (dicomlb ÷ its peer: HAProxy, or gdnsd for DNS; dicomlb ÷ direct) and its verdict. */
    public record Row(String scenario, Metric metric, Map<Variant, Double> medians, Optional<Double> vsHaproxy,
                      Optional<Double> vsDirect, Optional<Verdict> verdict) {
        /** dicomlb's median ÷ {@code reference}'s, when both were measured. */
        public Optional<Double> dicomlbOver(Variant reference) {
            return ratio(medians, reference);
        }
    }
}
