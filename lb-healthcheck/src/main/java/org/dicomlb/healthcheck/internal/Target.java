package org.dicomlb.healthcheck.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.HealthCheck;
import org.dicomlb.healthcheck.HealthState;
import org.dicomlb.healthcheck.HealthStatus;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.passive.PassiveFilter;

/**
 * One checked endpoint. Fields without {@code volatile} belong to the control thread; the
 * volatile ones are written there and read by any thread (states, passive reports, gauges).
 */
final class Target {
    final String id;
    final InetSocketAddress address;
    /** Meter tags, fixed at start (a target whose labels change is a new target). */
    java.util.Map<String, String> labels;
    HealthCheckConfig config;
    HealthCheck check;
    InetSocketAddress probeAddress;
    PassiveFilter passive;
    ControlScheduler.Cancellable next;
    Probe inFlight;
    boolean stopped;

    volatile HealthState state;
    volatile TargetMeters meters;
    volatile boolean observing;
    /** True while passive failures are being tallied; passive successes are ignored otherwise. */
    volatile boolean tallying;

    Target(String id, InetSocketAddress address, Instant now) {
        this.id = id;
        this.address = address;
        this.state = HealthState.starting(now);
    }

    /** One probe in flight; a result for a probe that is no longer {@link #inFlight} is stale. */
    static final class Probe {
        final Target target;
        final long startNanos;
        CompletableFuture<CheckResult> future;
        ControlScheduler.Cancellable deadline;

        Probe(Target target, long startNanos) {
            this.target = target;
            this.startNanos = startNanos;
        }

        void abandon() {
            if (deadline != null) {
                deadline.cancel();
            }
            if (future != null && !future.isDone()) {
                // The check closes its channel when its future is cancelled.
                future.cancel(false);
            }
        }
    }

    /** A new state and, when the status changed, why. */
    record Step(HealthState state, String reason) {
        boolean transition(HealthState before) {
            return state.status() != before.status();
        }
    }

    /** The state machine for an active probe result. */
    static Step afterProbe(HealthState s, CheckResult r, Duration took, int rise, int fall, Instant now) {
        if (r.outcome() == org.dicomlb.healthcheck.CheckOutcome.LOCAL_ERROR) {
            // Nothing learned about the endpoint: keep its state and counts, remember the probe.
            return new Step(new HealthState(s.status(), s.since(), s.consecutiveSuccesses(), s.consecutiveFailures(),
                    Optional.of(r), s.lastFailureReason(), Optional.of(took), s.checks() + 1), null);
        }
        int successes = r.success() ? s.consecutiveSuccesses() + 1 : 0;
        int failures = r.success() ? 0 : s.consecutiveFailures() + 1;
        HealthStatus to = s.status();
        String reason = null;
        switch (s.status()) {
            case STARTING -> {
                // A definite answer decides at once. A timeout may be our own slowness (a cold
                // JVM's first probe took over a second in measurements) rather than the backend's,
                // and going down would turn every modality away at boot: it takes two in a row.
                boolean timedOut = r.outcome() == org.dicomlb.healthcheck.CheckOutcome.TIMEOUT;
                if (r.success()) {
                    to = HealthStatus.UP;
                    reason = "first check passed: " + r.detail();
                } else if (!timedOut || failures >= Math.min(2, fall)) {
                    to = HealthStatus.DOWN;
                    reason = (failures == 1 ? "first check failed: " : failures + " first checks failed, last: ") + r.detail();
                }
            }
            case UP -> {
                if (failures >= fall) {
                    to = HealthStatus.DOWN;
                    reason = failures + (failures == 1 ? " failure: " : " consecutive failures, last: ") + r.detail();
                }
            }
            case DOWN -> {
                if (successes >= rise) {
                    to = HealthStatus.UP;
                    reason = successes + (successes == 1 ? " success: " : " consecutive successes, last: ") + r.detail();
                }
            }
        }
        Optional<String> lastFailure = r.success() ? s.lastFailureReason() : Optional.of(r.detail());
        HealthState next = new HealthState(to, to == s.status() ? s.since() : now, successes, failures,
                Optional.of(r), lastFailure, Optional.of(took), s.checks() + 1);
        return new Step(next, reason);
    }

    /** The state machine for a passive failure that counted (never called while down). */
    static Step afterPassiveFailure(HealthState s, String reason, int fall, Instant now) {
        int failures = s.consecutiveFailures() + 1;
        boolean down = s.status() == HealthStatus.STARTING || failures >= fall;
        HealthStatus to = down ? HealthStatus.DOWN : s.status();
        HealthState next = new HealthState(to, down ? now : s.since(), 0, failures, s.lastResult(),
                Optional.of(reason), s.lastCheckDuration(), s.checks());
        return new Step(next, down ? reason : null);
    }

    /** The pause before the next probe, before jitter: fast while in doubt, slow while down. */
    static Duration pause(HealthState s, HealthCheckConfig c) {
        return switch (s.status()) {
            case STARTING -> c.fastInterval();
            case UP -> s.consecutiveFailures() > 0 ? c.fastInterval() : c.interval();
            case DOWN -> s.consecutiveSuccesses() > 0 ? c.fastInterval() : c.downInterval();
        };
    }
}
