package org.dicomlb.gslb.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on what clients can make the responder do.
 *
 * @param tcpConnections  open TCP connections at once; more are closed on accept
 * @param tcpIdle         a TCP connection with no query for this long is closed
 * @param udpPayload      the largest UDP response sent to an EDNS client (and the size advertised);
 *                        1232 avoids IP fragmentation on any path (DNS flag day 2020)
 */
public record Limits(RateLimit rateLimit, int tcpConnections, Duration tcpIdle, int udpPayload) {
    public static final int DEFAULT_TCP_CONNECTIONS = 256;
    public static final Duration DEFAULT_TCP_IDLE = Duration.ofSeconds(10);
    public static final int DEFAULT_UDP_PAYLOAD = 1232;
    public static final Limits DEFAULT = new Limits(RateLimit.DEFAULT, DEFAULT_TCP_CONNECTIONS, DEFAULT_TCP_IDLE, DEFAULT_UDP_PAYLOAD);

    public Limits {
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(tcpIdle, "tcpIdle");
        if (tcpConnections < 1 || tcpConnections > 100_000) {
            throw new IllegalArgumentException("tcp-connections must be 1..100000");
        }
        if (tcpIdle.toMillis() < 100 || tcpIdle.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("tcp-idle must be 100ms..1h");
        }
        if (udpPayload < 512 || udpPayload > 4096) {
            throw new IllegalArgumentException("udp-payload must be 512..4096");
        }
    }
}
