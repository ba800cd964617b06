package org.dicomlb.gslb.dns;

import java.net.InetAddress;
import org.dicomlb.gslb.config.RateLimit;

/**
 * Token buckets per client subnet in a fixed-size table (memory bounded whatever the number of
 * sources; subnets that collide on a slot share it, and a new subnet in a slot starts with a full
 * bucket). Not thread-safe: one instance per UDP channel, used on that channel's event loop.
 */
final class RateLimiter {
    enum Verdict { ANSWER, DROP, SLIP }

    static final int SLOTS = 16384;

    private final long[] keys = new long[SLOTS];
    private final long[] keysLow = new long[SLOTS];
    private final double[] tokens = new double[SLOTS];
    private final long[] lastNanos = new long[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    private final int[] limited = new int[SLOTS];

    /**
     * @param shareOf how many sockets share the limit: the kernel spreads a subnet's queries over
     *                them, so each allows its share of the rate and burst
     */
    Verdict check(InetAddress client, RateLimit limit, int shareOf, long nowNanos) {
        if (!limit.enabled()) {
            return Verdict.ANSWER;
        }
        double rate = Math.max(1.0, limit.responsesPerSecond() / (double) shareOf);
        double burst = Math.max(1.0, limit.burst() / (double) shareOf);
        byte[] a = client.getAddress();
        int prefix = a.length == 4 ? limit.ipv4Prefix() : limit.ipv6Prefix();
        long hi = 0;
        long lo = a.length;
        for (int i = 0; i < a.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            long b = a[i] & (0xff << (8 - keep)) & 0xff;
            if (i < 8) {
                hi = hi << 8 | b;
            } else {
                lo = lo << 8 | b;
            }
        }
        int slot = (int) (mix(hi * 31 + lo) & (SLOTS - 1));
        if (!used[slot] || keys[slot] != hi || keysLow[slot] != lo) {
            used[slot] = true;
            keys[slot] = hi;
            keysLow[slot] = lo;
            tokens[slot] = burst;
            lastNanos[slot] = nowNanos;
            limited[slot] = 0;
        }
        double refill = (nowNanos - lastNanos[slot]) / 1e9 * rate;
        tokens[slot] = Math.min(burst, tokens[slot] + Math.max(0, refill));
        lastNanos[slot] = nowNanos;
        if (tokens[slot] >= 1) {
            tokens[slot] -= 1;
            return Verdict.ANSWER;
        }
        limited[slot]++;
        return limit.slip() > 0 && limited[slot] % limit.slip() == 0 ? Verdict.SLIP : Verdict.DROP;
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
