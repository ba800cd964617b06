package org.dicomlb.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as network engineers write them: {@code 500ms}, {@code 10s}, {@code 30m},
 * {@code 1h}, {@code 2d}, or a sum such as {@code 1m30s}. A bare number is refused: "10" could
 * mean seconds or milliseconds and the config would silently mean something else.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,9}(?:ms|s|m|h|d))+");

    private Durations() {
    }

    /** Parses a duration or throws {@link IllegalArgumentException} with a message fit for a user. */
    public static Duration parse(String text) {
        String s = text.strip();
        if (!WHOLE.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 500ms, 10s, 5m, 1h or 1m30s");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(s);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new IllegalStateException(m.group(2));
            });
        }
        return total;
    }

    /** The shortest form {@link #parse} reads back to the same value, e.g. {@code 1m30s}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long ms = d.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (ms >= units[i]) {
                sb.append(ms / units[i]).append(names[i]);
                ms %= units[i];
            }
        }
        return sb.toString();
    }
}
