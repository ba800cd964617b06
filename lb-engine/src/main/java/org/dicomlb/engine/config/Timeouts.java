package org.dicomlb.engine.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Listener timers. {@code connect}: one backend connect attempt. {@code idle}: no byte in either
 * direction. {@code associate}: DICOM only, from accept until the A-ASSOCIATE-RQ is complete
 * (the ARTIM timer of PS3.8). The http mode's own: {@code request}, from accept (or from the
 * first byte of a further request on a kept-alive connection) until the request's headers are
 * complete; {@code keepAlive}, how long a client connection may wait between two requests;
 * {@code response}, from the request having been sent to the backend until its response headers
 * arrive.
 */
public record Timeouts(Duration connect, Duration idle, Duration associate, Duration request, Duration keepAlive,
                       Duration response) {
    public static final Duration DEFAULT_REQUEST = Duration.ofSeconds(10);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_RESPONSE = Duration.ofSeconds(60);
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(3), Duration.ofMinutes(30), Duration.ofSeconds(10));

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(associate, "associate");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(response, "response");
        for (Duration d : new Duration[] {connect, idle, associate, request, keepAlive, response}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
        }
    }

    /** Timers of a tcp or dicom listener; the http ones at their defaults. */
    public Timeouts(Duration connect, Duration idle, Duration associate) {
        this(connect, idle, associate, DEFAULT_REQUEST, DEFAULT_KEEP_ALIVE, DEFAULT_RESPONSE);
    }
}
