package org.dicomlb.engine.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Listener timers. {@code connect}: one backend connect attempt. {@code idle}: no byte in either
 * direction. {@code associate}: DICOM only, from accept until the A-ASSOCIATE-RQ is complete
 * (the ARTIM timer of PS3.8).
 */
public record Timeouts(Duration connect, Duration idle, Duration associate) {
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(3), Duration.ofMinutes(30), Duration.ofSeconds(10));

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(associate, "associate");
        if (connect.isNegative() || connect.isZero() || idle.isNegative() || idle.isZero()
                || associate.isNegative() || associate.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }
}
