package org.dicomlb.healthcheck;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the checker knows about one endpoint at one instant.
 *
 * @param since                when {@code status} was entered (or the target was added)
 * @param consecutiveSuccesses successes since the last failure (active probes only)
 * @param consecutiveFailures  failures since the last success (active probes and counted passive failures)
 * @param lastResult           the last active probe's result
 * @param lastFailureReason    why the last failure happened, active or passive, kept after later successes
 * @param lastCheckDuration    how long the last active probe took
 * @param checks               active probes completed since the target was added
 */
public record HealthState(HealthStatus status, Instant since, int consecutiveSuccesses, int consecutiveFailures,
                          Optional<CheckResult> lastResult, Optional<String> lastFailureReason,
                          Optional<Duration> lastCheckDuration, long checks) {
    public HealthState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(lastResult, "lastResult");
        Objects.requireNonNull(lastFailureReason, "lastFailureReason");
        Objects.requireNonNull(lastCheckDuration, "lastCheckDuration");
    }

    /** The state of a target that was just added and not probed yet. */
    public static HealthState starting(Instant at) {
        return new HealthState(HealthStatus.STARTING, at, 0, 0, Optional.empty(), Optional.empty(), Optional.empty(), 0);
    }

    public boolean serving() {
        return status.serving();
    }
}
