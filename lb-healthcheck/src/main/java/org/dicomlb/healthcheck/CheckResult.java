package org.dicomlb.healthcheck;

import java.time.Duration;
import java.util.Objects;
import org.dicomlb.config.Durations;

/**
 * The result of one probe. {@code detail} is human text for the status page and logs: what was
 * seen on success ("HTTP 200"), why it failed otherwise ("connect refused", "HTTP 503 (expected
 * 200)", "timeout after 1s").
 */
public record CheckResult(CheckOutcome outcome, String detail) {
    public CheckResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
    }

    public static CheckResult success(String detail) {
        return new CheckResult(CheckOutcome.SUCCESS, detail);
    }

    public static CheckResult failure(String reason) {
        return new CheckResult(CheckOutcome.FAILURE, reason);
    }

    /** A probe that did not finish within its timeout: "timeout after 1s". */
    public static CheckResult timeout(Duration timeout) {
        return new CheckResult(CheckOutcome.TIMEOUT, "timeout after " + Durations.format(timeout));
    }

    /** A probe that ran out of time in a known phase: "timeout after 1s (waiting for C-ECHO-RSP)". */
    public static CheckResult timeout(Duration timeout, String phase) {
        return new CheckResult(CheckOutcome.TIMEOUT, "timeout after " + Durations.format(timeout) + " (" + phase + ")");
    }

    /** A probe this machine could not run ("out of file descriptors"); see {@link CheckOutcome#LOCAL_ERROR}. */
    public static CheckResult localError(String reason) {
        return new CheckResult(CheckOutcome.LOCAL_ERROR, reason);
    }

    public boolean success() {
        return outcome.success();
    }
}
