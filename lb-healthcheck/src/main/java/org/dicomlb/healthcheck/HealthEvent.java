package org.dicomlb.healthcheck;

import java.time.Instant;
import java.util.Objects;

/** A change of an endpoint's {@link HealthStatus}, with the reason in human words. */
public record HealthEvent(String id, HealthStatus from, HealthStatus to, String reason, Instant at) {
    public HealthEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
        if (from == to) {
            throw new IllegalArgumentException("an event needs a change of status, not " + from + " -> " + to);
        }
    }
}
