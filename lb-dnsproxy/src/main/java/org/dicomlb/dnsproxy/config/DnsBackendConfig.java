package org.dicomlb.dnsproxy.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.dicomlb.config.Durations;

/**
 * A backend whose address is a hostname, re-resolved every {@code resolveInterval} (with jitter)
 * by asking {@code resolvers} in order. See docs/dns-backends.md for the behaviour in each
 * failure case.
 *
 * @param name            the fully qualified hostname, lower case, without the trailing dot
 *                        (queried as an absolute name: no search domains are applied)
 * @param port            the port every resolved address gets
 * @param resolvers       asked in this order; the next is asked when one times out, answers
 *                        SERVFAIL or REFUSED, or fails otherwise
 * @param resolveInterval the pause between the starts of two resolution rounds
 * @param resolveTimeout  how long one resolver may take for one question (UDP, and again for
 *                        the TCP retry after a truncated answer)
 * @param resolveFall     rounds in a row in which no resolver answered before the backend is down
 * @param family          which address records to ask for
 * @param addresses       one endpoint (the first address) or one per address
 * @param onChange        what happens to established connections to an address that left the answer
 */
public record DnsBackendConfig(String name, int port, List<InetSocketAddress> resolvers, Duration resolveInterval,
                               Duration resolveTimeout, int resolveFall, Family family, AddressMode addresses,
                               OnChange onChange) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_INTERVAL = Duration.ofHours(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_FALL = 3;
    public static final int MAX_FALL = 100;
    public static final int MAX_RESOLVERS = 8;
    /** RFC 1035 limits a name to 255 octets on the wire, 253 characters written out. */
    public static final int MAX_NAME_CHARS = 253;

    public DnsBackendConfig {
        name = requireHostname(name);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1..65535");
        }
        resolvers = List.copyOf(Objects.requireNonNull(resolvers, "resolvers"));
        if (resolvers.isEmpty() || resolvers.size() > MAX_RESOLVERS) {
            throw new IllegalArgumentException("resolvers must list 1 to " + MAX_RESOLVERS + " ip:port addresses");
        }
        for (InetSocketAddress r : resolvers) {
            if (r.isUnresolved()) {
                throw new IllegalArgumentException("resolver " + r + " is not an IP address");
            }
        }
        if (resolvers.stream().distinct().count() != resolvers.size()) {
            throw new IllegalArgumentException("resolvers lists an address twice");
        }
        requireWithin(resolveInterval, MIN_INTERVAL, MAX_INTERVAL, "resolve-interval");
        requireWithin(resolveTimeout, MIN_TIMEOUT, MAX_TIMEOUT, "resolve-timeout");
        if (resolveTimeout.compareTo(resolveInterval) >= 0) {
            throw new IllegalArgumentException("resolve-timeout " + Durations.format(resolveTimeout)
                    + " must be shorter than resolve-interval " + Durations.format(resolveInterval));
        }
        if (resolveFall < 1 || resolveFall > MAX_FALL) {
            throw new IllegalArgumentException("resolve-fall must be 1.." + MAX_FALL);
        }
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(onChange, "onChange");
    }

    /** The documented defaults around a name, a port and the resolvers to ask. */
    public static DnsBackendConfig of(String name, int port, List<InetSocketAddress> resolvers) {
        return new DnsBackendConfig(name, port, resolvers, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_FALL,
                Family.IPV4, AddressMode.FIRST, OnChange.KEEP);
    }

    /** The default timeout for an interval: 2s, or half the interval when that is shorter. */
    public static Duration defaultTimeout(Duration interval) {
        Duration half = interval.dividedBy(2);
        return half.compareTo(DEFAULT_TIMEOUT) < 0 ? half : DEFAULT_TIMEOUT;
    }

    public DnsBackendConfig withName(String newName) {
        return new DnsBackendConfig(newName, port, resolvers, resolveInterval, resolveTimeout, resolveFall, family,
                addresses, onChange);
    }

    public DnsBackendConfig withPort(int newPort) {
        return new DnsBackendConfig(name, newPort, resolvers, resolveInterval, resolveTimeout, resolveFall, family,
                addresses, onChange);
    }

    public DnsBackendConfig withResolvers(List<InetSocketAddress> newResolvers) {
        return new DnsBackendConfig(name, port, newResolvers, resolveInterval, resolveTimeout, resolveFall, family,
                addresses, onChange);
    }

    public DnsBackendConfig withTiming(Duration interval, Duration timeout, int fall) {
        return new DnsBackendConfig(name, port, resolvers, interval, timeout, fall, family, addresses, onChange);
    }

    public DnsBackendConfig withFamily(Family newFamily) {
        return new DnsBackendConfig(name, port, resolvers, resolveInterval, resolveTimeout, resolveFall, newFamily,
                addresses, onChange);
    }

    public DnsBackendConfig withAddresses(AddressMode newMode) {
        return new DnsBackendConfig(name, port, resolvers, resolveInterval, resolveTimeout, resolveFall, family,
                newMode, onChange);
    }

    public DnsBackendConfig withOnChange(OnChange newOnChange) {
        return new DnsBackendConfig(name, port, resolvers, resolveInterval, resolveTimeout, resolveFall, family,
                addresses, newOnChange);
    }

    /**
     * A hostname as DNS carries it: dot-separated labels of 1-63 letters, digits, '-' or '_'
     * (service labels), not starting or ending with '-', at most 253 characters; one trailing dot
     * is allowed and dropped. IP literals are refused: they need no resolving. Returns the name in
     * lower case.
     */
    public static String requireHostname(String text) {
        Objects.requireNonNull(text, "name");
        String s = text.strip();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("the name is empty");
        }
        if (s.length() > MAX_NAME_CHARS) {
            throw new IllegalArgumentException("'" + text + "' is longer than " + MAX_NAME_CHARS + " characters");
        }
        if (looksLikeIp(s)) {
            throw new IllegalArgumentException("'" + text + "' is an IP address, not a name; use 'address: ip:port' for a "
                    + "fixed backend");
        }
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("'" + text + "' is not a hostname: each dot-separated part must be 1 to 63 "
                        + "characters");
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new IllegalArgumentException("'" + text + "' is not a hostname: a part may not start or end with '-'");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok) {
                    throw new IllegalArgumentException("'" + text + "' is not a hostname: '" + c + "' is not allowed "
                            + "(letters, digits, '-', '_' and dots)");
                }
            }
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean looksLikeIp(String s) {
        try {
            java.net.InetAddress.ofLiteral(s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void requireWithin(Duration d, Duration min, Duration max, String key) {
        Objects.requireNonNull(d, key);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(key + " must be between " + Durations.format(min) + " and "
                    + Durations.format(max));
        }
    }
}
