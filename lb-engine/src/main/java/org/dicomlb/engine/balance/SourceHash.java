package org.dicomlb.engine.balance;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Selector;

/**
 * Weighted rendezvous (highest random weight) hashing of the client IP. Each client ranks every
 * endpoint by a score derived from hash(client, endpoint id); it goes to the best-ranked one with
 * a free slot. Adding or removing a backend moves only the clients whose best backend changed
 * (about 1/n of them), unlike hash-mod-n which reshuffles almost everyone. Keyed on the endpoint
 * id ({@code pool/backend} for a backend with one fixed address), so an address change in the
 * file keeps clients where they were.
 */
final class SourceHash implements Selector {
    private final Endpoint[] endpoints;
    private final long[] nameHashes;

    SourceHash(List<Endpoint> eligible) {
        this.endpoints = eligible.toArray(Endpoint[]::new);
        this.nameHashes = new long[endpoints.length];
        for (int i = 0; i < endpoints.length; i++) {
            nameHashes[i] = hashBytes(endpoints[i].id().getBytes(StandardCharsets.UTF_8), 0x9E3779B97F4A7C15L);
        }
    }

    @Override
    public Endpoint select(InetAddress client, Set<Endpoint> exclude) {
        long clientHash = hashBytes(client.getAddress(), 0xC2B2AE3D27D4EB4FL);
        int n = endpoints.length;
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            scores[i] = score(clientHash, nameHashes[i], endpoints[i].balanceWeight());
        }
        for (int attempt = 0; attempt < n; attempt++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (scores[i] != Double.NEGATIVE_INFINITY && !exclude.contains(endpoints[i])
                        && (best < 0 || scores[i] > scores[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                return null;
            }
            if (endpoints[best].tryAcquire()) {
                return endpoints[best];
            }
            scores[best] = Double.NEGATIVE_INFINITY;
        }
        return null;
    }

    /** weight / -ln(u) with u uniform in (0,1): the weighted rendezvous score. */
    static double score(long clientHash, long nameHash, long weight) {
        long h = mix(clientHash ^ nameHash);
        double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
        return Math.max(1, weight) / -Math.log(u);
    }

    static long hashBytes(byte[] bytes, long seed) {
        long h = seed;
        for (byte b : bytes) {
            h = mix(h ^ (b & 0xff));
        }
        return mix(h ^ bytes.length);
    }

    /** The 64-bit finalizer of MurmurHash3: full avalanche, cheap. */
    static long mix(long z) {
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }
}
