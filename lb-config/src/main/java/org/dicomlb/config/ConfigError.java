package org.dicomlb.config;

import java.util.Comparator;
import java.util.Objects;

/** One located mistake in a configuration file. Prints as {@code FILE:LINE:COL: message}. */
public record ConfigError(Location location, String message) implements Comparable<ConfigError> {
    private static final Comparator<ConfigError> ORDER = Comparator
            .comparing((ConfigError e) -> e.location().file())
            .thenComparingInt(e -> e.location().line())
            .thenComparingInt(e -> e.location().column())
            .thenComparing(ConfigError::message);

    public ConfigError {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public int compareTo(ConfigError other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return location + ": " + message;
    }
}
