package org.dicomlb.vip.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether a node with a higher priority takes the VIP from a healthy master with a lower one.
 * Off by default: every move of the VIP cuts the associations open through the old holder, so
 * the VIP stays where it is until that node fails. With {@code enabled}, {@code delay} holds the
 * preemption back after a (re)start or when a lower-priority master is seen.
 */
public record Preemption(boolean enabled, Duration delay) {
    /** keepalived's limit for {@code preempt_delay}. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(1000);

    public static final Preemption OFF = new Preemption(false, Duration.ZERO);

    public Preemption {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("preempt delay must be between 0s and 1000s");
        }
        if (!enabled && !delay.isZero()) {
            throw new IllegalArgumentException("a preempt delay needs preempt enabled");
        }
    }
}
