package org.dicomlb.engine.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Idle HTTP/1.1 connections to backends kept for further requests. Each event loop keeps its own
 * (a connection is reused only on the loop that made it, so no lock is shared), at most
 * {@code maxIdle} per backend address on each loop; one idle longer than {@code idleTimeout} is
 * closed. {@code maxIdle} 0 closes every backend connection after its response.
 */
public record BackendKeepAlive(int maxIdle, Duration idleTimeout) {
    public static final int DEFAULT_MAX_IDLE = 64;
    public static final int MAX_MAX_IDLE = 10_000;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final BackendKeepAlive DEFAULTS = new BackendKeepAlive(DEFAULT_MAX_IDLE, DEFAULT_IDLE_TIMEOUT);

    public BackendKeepAlive {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxIdle < 0 || maxIdle > MAX_MAX_IDLE) {
            throw new IllegalArgumentException("max-idle must be between 0 and " + MAX_MAX_IDLE);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle-timeout must be positive");
        }
    }
}
