package org.dicomlb.harness.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Whether one of dicomlb's resources (resident memory, open descriptors) grew over a soak,
 * judged by {@link #judge}; first, last and max are over every sample.
 *
 * <p>The rule: leave out the warm-up ({@link SoakSettings#warmUp()}) and every sample taken while an
 * idle flood was open ({@link FloodWindows}); of the rest, the <em>early window</em> is the first
 * third of the time after the warm-up and the <em>late window</em> the last third. The median of
 * the late window may exceed the median of the early one by at most {@code allowed}, which is the
 * larger of a fixed slack and a fraction of the early median. Medians, so that one reading taken
 * while a storm's associations were all open, or just after a GC, moves nothing.
 *
 * @param early       median of the early window
 * @param late        median of the late window
 * @param allowed     how much {@code late} may exceed {@code early}
 * @param earlySamples readings in the early window
 * @param lateSamples  readings in the late window
 */
public record ResourceTrend(String resource, String unit, long first, long last, long max, long early, long late,
                            long allowed, int earlySamples, int lateSamples, boolean passed, String detail) {
    /** Fewer readings than this in a window make the comparison meaningless, and the check fails. */
    static final int MIN_WINDOW_SAMPLES = 3;

    /**
     * @param slack    the fixed part of what may be added between the windows
     * @param fraction the proportional part, of the early median
     */
    static ResourceTrend judge(String resource, String unit, List<Sample> samples, ToLongFunction<Sample> value,
                               Duration warmUp, Duration duration, long slack, double fraction) {
        if (samples.isEmpty()) {
            return new ResourceTrend(resource, unit, 0, 0, 0, 0, 0, 0, 0, 0, false, "no readings of dicomlb's process");
        }
        long first = value.applyAsLong(samples.getFirst());
        long last = value.applyAsLong(samples.getLast());
        long max = samples.stream().mapToLong(value).max().orElse(0);
        double from = warmUp.toNanos() / 1e9;
        double to = duration.toNanos() / 1e9;
        double window = (to - from) / 3;
        List<Long> early = new ArrayList<>();
        List<Long> late = new ArrayList<>();
        for (Sample s : samples) {
            if (s.flood()) {
                continue;
            }
            if (s.seconds() >= from && s.seconds() < from + window) {
                early.add(value.applyAsLong(s));
            } else if (s.seconds() >= to - window) {
                late.add(value.applyAsLong(s));
            }
        }
        if (early.size() < MIN_WINDOW_SAMPLES || late.size() < MIN_WINDOW_SAMPLES) {
            return new ResourceTrend(resource, unit, first, last, max, median(early), median(late), 0, early.size(),
                    late.size(), false, "too few readings outside idle floods to judge a trend (early " + early.size()
                    + ", late " + late.size() + ", need " + MIN_WINDOW_SAMPLES + " each)");
        }
        long e = median(early);
        long l = median(late);
        long allowed = Math.max(slack, Math.round(e * fraction));
        boolean ok = l - e <= allowed;
        String detail = resource + " median " + e + " " + unit + " early (" + fmt(from) + "-" + fmt(from + window)
                + " s), " + l + " " + unit + " late (" + fmt(to - window) + "-" + fmt(to) + " s): "
                + (l >= e ? "+" : "") + (l - e) + " " + unit + ", allowed +" + allowed;
        return new ResourceTrend(resource, unit, first, last, max, e, l, allowed, early.size(), late.size(), ok, detail);
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String fmt(double seconds) {
        return Long.toString(Math.round(seconds));
    }
}
