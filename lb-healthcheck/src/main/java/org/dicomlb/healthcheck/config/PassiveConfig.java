package org.dicomlb.healthcheck.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health ({@code observe:}): how failures the data plane sees on real connections count
 * toward {@code fall}. A failure counts only once {@code minClients} distinct client addresses have
 * reported failures within {@code window}, and at most once per {@code fast-interval}; so one
 * misconfigured modality cannot take a healthy archive out of service.
 */
public record PassiveConfig(boolean enabled, int minClients, Duration window) {
    public static final int DEFAULT_MIN_CLIENTS = 2;
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
    public static final PassiveConfig DEFAULT = new PassiveConfig(true, DEFAULT_MIN_CLIENTS, DEFAULT_WINDOW);
    public static final PassiveConfig OFF = new PassiveConfig(false, DEFAULT_MIN_CLIENTS, DEFAULT_WINDOW);

    public PassiveConfig {
        Objects.requireNonNull(window, "window");
        if (minClients < 2) {
            throw new IllegalArgumentException("min-clients must be at least 2, or one client could mark a backend down");
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive");
        }
    }
}
