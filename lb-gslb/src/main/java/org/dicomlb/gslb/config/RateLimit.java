package org.dicomlb.gslb.config;

/**
 * Response-rate limiting over UDP, per client subnet (the source address cut to a prefix, since
 * a reflection attack spoofs many addresses of one victim network). Over the rate, a response is
 * dropped, except every {@code slip}-th, which goes out empty with TC set so that a real resolver
 * behind that subnet retries over TCP (which is not limited: TCP cannot be spoofed).
 *
 * @param responsesPerSecond per subnet; 0 turns limiting off
 * @param burst              responses a quiet subnet may send at once
 * @param slip               every slip-th limited response is a TC answer; 0 drops them all
 */
public record RateLimit(int responsesPerSecond, int burst, int slip, int ipv4Prefix, int ipv6Prefix) {
    public static final RateLimit DEFAULT = new RateLimit(1000, 2000, 2, 24, 56);
    public static final RateLimit OFF = new RateLimit(0, 0, 0, 24, 56);

    public RateLimit {
        if (responsesPerSecond < 0 || responsesPerSecond > 10_000_000) {
            throw new IllegalArgumentException("responses-per-second must be 0..10000000");
        }
        if (responsesPerSecond > 0 && (burst < 1 || burst > 100_000_000)) {
            throw new IllegalArgumentException("burst must be 1..100000000");
        }
        if (slip < 0 || slip > 10) {
            throw new IllegalArgumentException("slip must be 0..10");
        }
        if (ipv4Prefix < 8 || ipv4Prefix > 32 || ipv6Prefix < 16 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("ipv4-prefix must be 8..32 and ipv6-prefix 16..128");
        }
    }

    public boolean enabled() {
        return responsesPerSecond > 0;
    }
}
