package org.dicomlb.engine.balance;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Selector;

/**
 * Smooth weighted round robin. The interleaved sequence (the one nginx's algorithm produces:
 * weights 5,1,1 give a a b a c a a, not a a a a a b c) is computed once per snapshot, so a pick
 * is one atomic increment and an array read, with no lock shared by event loops.
 */
final class RoundRobin implements Selector {
    /** Longest sequence we precompute; larger weight sums are scaled down proportionally. */
    static final int MAX_SEQUENCE = 4096;

    private final Endpoint[] sequence;
    private final int distinct;
    private final AtomicInteger cursor;

    RoundRobin(List<Endpoint> eligible, AtomicInteger cursor) {
        this.sequence = sequence(eligible);
        this.distinct = eligible.size();
        this.cursor = cursor;
    }

    static Endpoint[] sequence(List<Endpoint> endpoints) {
        int n = endpoints.size();
        long[] w = new long[n];
        long g = 0;
        long sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = Math.max(1, endpoints.get(i).balanceWeight());
            g = gcd(g, w[i]);
        }
        for (int i = 0; i < n; i++) {
            w[i] /= g;
            sum += w[i];
        }
        if (sum > MAX_SEQUENCE) {
            long scaled = 0;
            for (int i = 0; i < n; i++) {
                w[i] = Math.max(1, Math.round((double) w[i] * MAX_SEQUENCE / sum));
                scaled += w[i];
            }
            sum = scaled;
        }
        Endpoint[] seq = new Endpoint[(int) sum];
        long[] current = new long[n];
        for (int k = 0; k < seq.length; k++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += w[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= sum;
            seq[k] = endpoints.get(best);
        }
        return seq;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public Endpoint select(InetAddress client, Set<Endpoint> exclude) {
        int start = Math.floorMod(cursor.getAndIncrement(), sequence.length);
        int refused = 0;
        Set<Endpoint> full = null;
        for (int k = 0; k < sequence.length && refused < distinct; k++) {
            Endpoint e = sequence[(start + k) % sequence.length];
            if (exclude.contains(e) || (full != null && full.contains(e))) {
                continue;
            }
            if (e.tryAcquire()) {
                return e;
            }
            if (full == null) {
                full = new java.util.HashSet<>();
            }
            full.add(e);
            refused++;
        }
        return null;
    }
}
