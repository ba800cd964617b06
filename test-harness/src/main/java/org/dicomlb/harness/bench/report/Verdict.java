package org.dicomlb.harness.bench.report;

import java.util.Objects;

/**
 * Whether a {@link Goal} was met, with the number it was judged on ("0.97×", "added 0.21 ms").
 *
 * @param met null when it could not be judged (a variant missing or failed)
 */
public record Verdict(Boolean met, String detail) {
    public static final Verdict UNKNOWN = new Verdict(null, "n/a");

    public Verdict {
        Objects.requireNonNull(detail, "detail");
    }

    public String word() {
        return met == null ? "n/a" : met ? "met" : "NOT met";
    }
}
