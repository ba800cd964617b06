package org.dicomlb.engine.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Where connections wait when every eligible backend is at its {@code max-connections}. Size 0
 * means no queue: such a connection fails over at once (TCP close, DICOM A-ASSOCIATE-RJ transient).
 */
public record QueueConfig(int size, Duration timeout) {
    public static final QueueConfig NONE = new QueueConfig(0, Duration.ofSeconds(5));

    public QueueConfig {
        Objects.requireNonNull(timeout, "timeout");
        if (size < 0) {
            throw new IllegalArgumentException("queue size must not be negative");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("queue timeout must be positive");
        }
    }
}
