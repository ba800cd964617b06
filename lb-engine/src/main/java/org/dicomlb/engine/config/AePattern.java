package org.dicomlb.engine.config;

import java.util.Objects;
import org.dicomlb.dicom.AeTitle;

/**
 * An AE title, or a glob over AE titles, as written in a route or an allow list: {@code CT01}
 * matches exactly that title, {@code QR_*} any title starting with {@code QR_}, {@code MR?}
 * {@code MR} and one more character. Matching is case-sensitive, as AE titles are (PS3.5), and
 * ignores the space padding of the wire field.
 */
public record AePattern(String pattern) {
    public AePattern {
        Objects.requireNonNull(pattern, "pattern");
        pattern = pattern.strip();
        String literal = pattern.replace("*", "").replace("?", "X");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("an AE title pattern must not be empty");
        }
        if (!literal.isEmpty()) {
            String problem = AeTitle.problemWith(literal);
            if (problem != null && !problem.startsWith("longer")) {
                throw new IllegalArgumentException("'" + pattern + "' is not an AE title or glob: " + problem);
            }
        }
        // '*' may stand for nothing, so only the characters that must be there count against 16.
        if (literal.length() > AeTitle.WIRE_LENGTH) {
            throw new IllegalArgumentException("'" + pattern + "' can never match: AE titles have at most 16 characters");
        }
    }

    public static AePattern parse(String text) {
        return new AePattern(text);
    }

    /** True when the pattern has no wildcard, i.e. names one title. */
    public boolean exact() {
        return pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
    }

    /**
     * Whether {@code title} (already stripped of its padding) matches. Iterative glob matching
     * with single-star backtracking: linear in practice, never exponential.
     */
    public boolean matches(String title) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < title.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == title.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
