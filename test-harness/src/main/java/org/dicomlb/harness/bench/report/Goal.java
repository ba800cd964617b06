package org.dicomlb.harness.bench.report;

import java.util.Locale;
import java.util.Map;
import org.dicomlb.harness.bench.Variant;

/**
 * A target from the issue, judged on the medians of one metric. The harness reports verdicts;
 * it never fails a run because a target is missed.
 */
public sealed interface Goal {
    /** Human wording, e.g. "≥ 1.0× HAProxy". */
    String describe();

    /** The verdict for these medians (absent variants make it unknown). */
    Verdict judge(Map<Variant, Double> medians);

    /** dicomlb's median at least {@code factor} times the reference variant's. */
    record AtLeastTimes(Variant reference, double factor) implements Goal {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "≥ %.2f× %s", factor, reference.label());
        }

        @Override
        public Verdict judge(Map<Variant, Double> medians) {
            return ratio(medians, reference).map(r -> new Verdict(r >= factor,
                    String.format(Locale.ROOT, "%.2f×", r))).orElse(Verdict.UNKNOWN);
        }
    }

    /** dicomlb's median at most {@code factor} times the reference variant's (memory). */
    record AtMostTimes(Variant reference, double factor) implements Goal {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "≤ %.2f× %s", factor, reference.label());
        }

        @Override
        public Verdict judge(Map<Variant, Double> medians) {
            return ratio(medians, reference).map(r -> new Verdict(r <= factor,
                    String.format(Locale.ROOT, "%.2f×", r))).orElse(Verdict.UNKNOWN);
        }
    }

    /** dicomlb's median at least {@code value} (a ratio the scenario computes itself, e.g. warm-up). */
    record AtLeast(double value, String unit) implements Goal {
        @Override
        public String describe() {
            return "≥ " + Numbers.format(value) + unit;
        }

        @Override
        public Verdict judge(Map<Variant, Double> medians) {
            Double d = medians.get(Variant.DICOMLB);
            return d == null ? Verdict.UNKNOWN : new Verdict(d >= value, Numbers.format(d) + unit);
        }
    }

    /** dicomlb's median exceeds the direct one by less than {@code limit} (in the metric's unit). */
    record AddedBelow(double limit, String unit) implements Goal {
        @Override
        public String describe() {
            return String.format(Locale.ROOT, "added < %s %s", Numbers.format(limit), unit);
        }

        @Override
        public Verdict judge(Map<Variant, Double> medians) {
            Double d = medians.get(Variant.DICOMLB);
            Double base = medians.get(Variant.DIRECT);
            if (d == null || base == null) {
                return Verdict.UNKNOWN;
            }
            double added = d - base;
            return new Verdict(added < limit, "added " + Numbers.format(added) + " " + unit);
        }
    }

    private static java.util.Optional<Double> ratio(Map<Variant, Double> medians, Variant reference) {
        Double d = medians.get(Variant.DICOMLB);
        Double r = medians.get(reference);
        if (d == null || r == null || r == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(d / r);
    }
}
