package org.dicomlb.gslb.select;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.config.Cidr;

/**
 * Client subnet to datacenter, longest prefix first. Immutable; {@link #lookup} is called for
 * every topology query, so it walks a short array sorted by prefix length instead of building
 * anything per call.
 */
public final class SubnetMap {
    public static final SubnetMap EMPTY = new SubnetMap(Map.of());

    private final Entry[] entries;

    private record Entry(byte[] network, int prefix, String datacenter) {
    }

    /** Where a client falls: its datacenter (if any) and the ECS scope the answer holds for. */
    public record Match(Optional<String> datacenter, int scope) {
    }

    public SubnetMap(Map<String, List<Cidr>> datacenters) {
        List<Entry> list = new ArrayList<>();
        datacenters.forEach((dc, prefixes) -> prefixes.forEach(c ->
                list.add(new Entry(c.network().getAddress(), c.prefixLength(), dc))));
        list.sort(Comparator.comparingInt(Entry::prefix).reversed());
        entries = list.toArray(Entry[]::new);
    }

    public boolean isEmpty() {
        return entries.length == 0;
    }

    /** The datacenter of the longest prefix containing {@code client}; empty when none does. */
    public Optional<String> datacenter(InetAddress client) {
        byte[] a = client.getAddress();
        for (Entry e : entries) {
            if (e.network.length == a.length && commonPrefix(a, e.network) >= e.prefix) {
                return Optional.of(e.datacenter);
            }
        }
        return Optional.empty();
    }

    /**
     * The datacenter of {@code client} and the shortest prefix of {@code client} over which that
     * answer holds (RFC 7871 scope): at least the matched prefix, and long enough that no other,
     * more specific subnet of the table lies inside it. With no match, long enough to exclude every
     * subnet of the table that is near the client.
     */
    public Match match(InetAddress client) {
        byte[] a = client.getAddress();
        Entry found = null;
        for (Entry e : entries) {
            if (e.network.length == a.length && commonPrefix(a, e.network) >= e.prefix) {
                found = e;
                break;
            }
        }
        int scope = found == null ? 0 : found.prefix;
        for (Entry e : entries) {
            if (e.network.length != a.length || e == found) {
                continue;
            }
            int common = commonPrefix(a, e.network);
            if (common < e.prefix) {
                // The client is outside e; a block of the client wider than `common` bits would reach into e.
                scope = Math.max(scope, common + 1);
            }
        }
        return new Match(found == null ? Optional.empty() : Optional.of(found.datacenter), scope);
    }

    static int commonPrefix(byte[] a, byte[] b) {
        for (int i = 0; i < a.length; i++) {
            int x = (a[i] ^ b[i]) & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return a.length * 8;
    }
}
