package org.dicomlb.harness.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Medians and display formatting shared by the Markdown and JSON reports. */
public final class Numbers {
    private Numbers() {
    }

    public static double median(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        List<Double> s = new ArrayList<>(samples);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Three significant digits, no exponent: 12300, 123, 12.3, 1.23, 0.123. */
    public static String format(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    public static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f×", v);
    }
}
