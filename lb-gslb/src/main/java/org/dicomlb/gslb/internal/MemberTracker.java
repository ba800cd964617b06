package org.dicomlb.gslb.internal;

import java.time.Duration;
import java.time.Instant;
import org.dicomlb.config.Durations;
import org.dicomlb.gslb.config.Failback;
import org.dicomlb.gslb.config.FailbackMode;

/**
 * The failback state of one member: whether it is held after a failure, and since when it has
 * been healthy. Used on the GSLB's control thread only.
 *
 * <p>A member that goes down is held when the policy says recovered members must wait
 * ({@link Failback#holdsRecoveredMembers()}). A held member that is healthy again is released
 * by {@code auto} at once, by {@code after D} once it has been healthy for D without a break, by
 * {@code manual} only through {@link #release}; with a gate, only while the gate passes. Members
 * start released: an appliance that boots or reloads does not hold sites it never saw fail.
 */
public final class MemberTracker {
    /** What {@link #observe} decided. */
    public enum Change { NONE, HELD, RELEASED }

    private boolean held;
    private Instant healthySince;
    private Instant heldSince;

    public boolean held() {
        return held;
    }

    /** Updates the state from the member's health now; returns what changed. */
    public Change observe(boolean healthy, boolean gatePassed, Failback policy, Instant now) {
        if (!healthy) {
            healthySince = null;
            if (!held && policy.holdsRecoveredMembers()) {
                held = true;
                heldSince = now;
                return Change.HELD;
            }
            return Change.NONE;
        }
        if (healthySince == null) {
            healthySince = now;
        }
        if (!held) {
            return Change.NONE;
        }
        boolean timeOk = switch (policy.mode()) {
            case AUTO -> true;
            case AFTER -> !now.isBefore(healthySince.plus(policy.after()));
            case MANUAL -> false;
        };
        if (timeOk && (policy.gate().isEmpty() || gatePassed)) {
            held = false;
            heldSince = null;
            return Change.RELEASED;
        }
        return Change.NONE;
    }

    /**
     * The explicit failback: releases a held member that is healthy and whose gate passes.
     *
     * @return null when released, else why not (for the operator)
     */
    public String release(boolean healthy, boolean gatePassed, Failback policy) {
        if (!held) {
            return "not held";
        }
        if (!healthy) {
            return "down; failback releases only a healthy member";
        }
        if (policy.gate().isPresent() && !gatePassed) {
            return "its failback gate has not passed yet";
        }
        held = false;
        heldSince = null;
        return null;
    }

    /** Why a held member is not answered yet, in words for the status page. */
    public String waitingFor(boolean healthy, boolean gatePassed, Failback policy, Instant now) {
        if (!held) {
            return "";
        }
        if (!healthy) {
            return "down since failing over; held for failback when it recovers";
        }
        String gate = policy.gate().isPresent() && !gatePassed ? " and its failback gate to pass" : "";
        return switch (policy.mode()) {
            case MANUAL -> "recovered; waiting for 'dicomlb gslb failback'" + gate;
            case AFTER -> {
                Duration left = Duration.between(now, healthySince.plus(policy.after()));
                yield left.isNegative() || left.isZero() ? "recovered; waiting for" + (gate.isEmpty() ? " release" : gate.substring(4))
                        : "recovered; waiting " + Durations.format(Duration.ofSeconds(Math.max(1, left.toSeconds()))) + " more" + gate;
            }
            case AUTO -> "recovered; waiting for" + gate.substring(4);
        };
    }

    public Instant heldSince() {
        return heldSince;
    }

    /** Keeps the state across a reload whose policy no longer holds members: release them. */
    public void policyChanged(Failback policy) {
        if (held && policy.mode() == FailbackMode.AUTO && policy.gate().isEmpty()) {
            held = false;
            heldSince = null;
        }
    }
}
