package org.dicomlb.gslb.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.dicomlb.healthcheck.config.HealthCheckConfig;

/**
 * A name's failback policy. A member that went down is <em>held</em> once it recovers: it is
 * answered again only when the policy releases it ({@code auto}: at once; {@code after}: once it
 * has been healthy for {@code after} without a break; {@code manual}: on an explicit failback
 * call), and, with a {@code gate}, only while the gate check passes (the gate stands for "this
 * site's archive has caught up", e.g. an http check of its replication status).
 *
 * @param after how long a recovered member must stay healthy; zero unless {@code mode} is {@link FailbackMode#AFTER}
 * @param gate  checked against each member's address (its {@code port} / {@code address} keys redirect it)
 */
public record Failback(FailbackMode mode, Duration after, Optional<HealthCheckConfig> gate) {
    public static final Failback AUTO = new Failback(FailbackMode.AUTO, Duration.ZERO, Optional.empty());
    public static final Duration MAX_AFTER = Duration.ofDays(7);

    public Failback {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(gate, "gate");
        if (mode == FailbackMode.AFTER ? after.isNegative() || after.isZero() || after.compareTo(MAX_AFTER) > 0 : !after.isZero()) {
            throw new IllegalArgumentException(mode == FailbackMode.AFTER
                    ? "failback 'after' needs a duration between 1ms and 7d" : "a failback delay applies only to mode 'after'");
        }
    }

    /** True when a member that goes down must wait for a release before it is answered again. */
    public boolean holdsRecoveredMembers() {
        return mode != FailbackMode.AUTO || gate.isPresent();
    }
}
