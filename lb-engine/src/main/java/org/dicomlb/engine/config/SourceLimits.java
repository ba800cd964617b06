package org.dicomlb.engine.config;

/**
 * What one source may do on a listener ({@code source-limits}). A source is a client address, or
 * the subnet around it when the prefix lengths are shorter than a whole address.
 *
 * @param connections at most this many open connections per source (handshakes included); 0: no limit
 * @param rate        new connections (dicom: associations) per second per source; 0: no limit
 * @param burst       how many may arrive at once before {@code rate} applies
 * @param ipv4Prefix  the IPv4 prefix length that makes a source (32: each address)
 * @param ipv6Prefix  the IPv6 prefix length that makes a source (64: a site's subnet)
 * @param maxSources  how many sources the listener tracks at most; see docs/security.md for a full table
 */
public record SourceLimits(int connections, double rate, int burst, int ipv4Prefix, int ipv6Prefix, int maxSources) {
    public static final int DEFAULT_IPV4_PREFIX = 32;
    public static final int DEFAULT_IPV6_PREFIX = 64;
    public static final int DEFAULT_MAX_SOURCES = 65_536;
    public static final int MIN_MAX_SOURCES = 16;
    public static final int MAX_MAX_SOURCES = 10_000_000;
    public static final double MAX_RATE = 1_000_000;

    public SourceLimits {
        if (connections < 0) {
            throw new IllegalArgumentException("connections must not be negative");
        }
        if (!(rate >= 0) || rate > MAX_RATE) {
            throw new IllegalArgumentException("rate must be between 0 and " + (int) MAX_RATE + " per second");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1");
        }
        if (ipv4Prefix < 0 || ipv4Prefix > 32 || ipv6Prefix < 0 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("prefix lengths are 0..32 (IPv4) and 0..128 (IPv6)");
        }
        if (maxSources < MIN_MAX_SOURCES || maxSources > MAX_MAX_SOURCES) {
            throw new IllegalArgumentException("max-sources must be between " + MIN_MAX_SOURCES + " and " + MAX_MAX_SOURCES);
        }
        if (connections == 0 && rate == 0) {
            throw new IllegalArgumentException("source-limits needs 'connections' or 'rate' (or both)");
        }
    }
}
