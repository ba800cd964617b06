package org.dicomlb.l4.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The slot table the kernel indexes with a hash of each flow: slot {@code s} belongs to the
 * candidate with the highest weighted rendezvous score for {@code s} ({@code -weight / ln(u)},
 * {@code u} a uniform hash of the slot and the candidate's id). So each slot is decided on its
 * own: a candidate leaving frees only its own slots (no other flow moves), one joining takes slots
 * only from others in proportion, and shares follow the weights. The scores depend on nothing but
 * the ids and weights, so two appliances with the same pools fill the same table.
 */
public final class SlotTable {
    /** Slots per table: 1/4096 of the traffic is the finest share a weight can express. */
    public static final int SLOTS = 4096;

    /** A candidate for the slots: {@code id} is hashed, {@code weight} 0 never wins a slot. */
    public record Candidate(String id, long weight) {
        public Candidate {
            if (weight < 0) {
                throw new IllegalArgumentException("weight must not be negative");
            }
        }
    }

    private SlotTable() {
    }

    /** The winning candidate's index for each of {@code slots} slots; -1 where no candidate has weight. */
    public static int[] fill(List<Candidate> candidates, int slots) {
        int[] owner = new int[slots];
        Arrays.fill(owner, -1);
        long[] keys = new long[candidates.size()];
        for (int c = 0; c < keys.length; c++) {
            keys[c] = hash(candidates.get(c).id());
        }
        for (int s = 0; s < slots; s++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < keys.length; c++) {
                long w = candidates.get(c).weight();
                if (w == 0) {
                    continue;
                }
                double score = -w / Math.log(unit(mix(keys[c] ^ mix(s + 0x9E3779B97F4A7C15L))));
                if (score > best) {
                    best = score;
                    owner[s] = c;
                }
            }
        }
        return owner;
    }

    /** Every slot to the first candidate with weight ({@code balance: first}); -1 with none. */
    public static int[] first(List<Candidate> candidates, int slots) {
        int owner = -1;
        for (int c = 0; c < candidates.size(); c++) {
            if (candidates.get(c).weight() > 0) {
                owner = c;
                break;
            }
        }
        int[] table = new int[slots];
        Arrays.fill(table, owner);
        return table;
    }

    /** A uniform double in (0, 1), never 0 or 1, from the top 53 bits. */
    private static double unit(long h) {
        return ((h >>> 11) + 0.5) * 0x1.0p-53;
    }

    /** 64-bit FNV-1a of the UTF-8 bytes, then mixed: stable across JVMs and releases. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The seed of the kernel's jhash for a listener: from its name, the same on every appliance. */
    public static int seed(String listener) {
        return (int) hash("seed:" + listener);
    }
}
