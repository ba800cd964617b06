package org.dicomlb.gslb.dns;

import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.dicomlb.gslb.dns.DnsMetrics.Result;

/**
 * Finished responses to plain queries, kept per {@link ZoneView} (a new view starts empty, so a
 * health change is never answered from an old entry). A plain query is one question with no
 * compression, no other records but an optional empty OPT of version 0: nearly every query a
 * resolver sends. Its key is everything the response depends on (the name in lower case, type,
 * class, the size limit, EDNS and DO, RD, and the client's datacenter when the zones use
 * topology); a hit copies the stored bytes and puts the query's id and question bytes (its case)
 * in place, which is the same response the dnsjava path builds, for a fraction of the work.
 * Weighted answers change per query and are never stored. Bounded: a full cache starts over.
 */
final class AnswerCache {
    static final int MAX_ENTRIES = 4096;

    /** The lower-cased name of the query being read, per event loop thread (copied into the key's String). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[255]);

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    record Key(String name, int type, int dclass, int max, int edns, boolean rd, String datacenter) {
    }

    /** A stored response and what serving it again counts. */
    record Entry(byte[] wire, int qtype, Result result, List<Counter> answered) {
    }

    /** A plain query's key and where its question name ends. */
    record Plain(Key key, int nameEnd, int qtype) {
    }

    Entry get(Key key) {
        return entries.get(key);
    }

    void put(Key key, Entry entry) {
        if (entries.size() >= MAX_ENTRIES) {
            // Random names (a scan, an attack) must not grow memory; real traffic refills at once.
            entries.clear();
        }
        entries.put(key, entry);
    }

    /** The response for this query from a stored one: the query's id and question bytes, the rest as stored. */
    static byte[] render(Entry e, byte[] query, int nameEnd) {
        byte[] out = e.wire().clone();
        out[0] = query[0];
        out[1] = query[1];
        System.arraycopy(query, 12, out, 12, nameEnd - 12);
        return out;
    }

    /**
     * Reads a plain query's key without a full parse; null for anything else (which takes the
     * dnsjava path).
     *
     * @param datacenter the client's datacenter, "" for none, or null when the zones have no topology
     */
    static Plain plain(byte[] q, boolean tcp, int udpPayload, String datacenter) {
        if ((q[2] & 0xf8) != 0 || u16(q, 4) != 1 || u16(q, 6) != 0 || u16(q, 8) != 0) {
            return null;
        }
        int additional = u16(q, 10);
        if (additional > 1) {
            return null;
        }
        byte[] name = SCRATCH.get();
        int n = 0;
        int p = 12;
        while (true) {
            if (p >= q.length) {
                return null;
            }
            int len = q[p] & 0xff;
            if (len == 0) {
                p++;
                break;
            }
            if (len > 63 || p + 1 + len > q.length || n + len + 1 > 254) {
                return null;
            }
            for (int i = 0; i < len; i++) {
                byte b = q[p + 1 + i];
                name[n++] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
            }
            name[n++] = '.';
            p += 1 + len;
        }
        int nameEnd = p;
        if (p + 4 > q.length) {
            return null;
        }
        int qtype = u16(q, p);
        int dclass = u16(q, p + 2);
        p += 4;
        int max = tcp ? Responder.TCP_MAX : 512;
        int edns = 0;
        if (additional == 1) {
            // Root owner, type OPT, no extended rcode, version 0, no options.
            if (p + 11 != q.length || q[p] != 0 || u16(q, p + 1) != 41 || q[p + 5] != 0 || q[p + 6] != 0 || u16(q, p + 9) != 0) {
                return null;
            }
            boolean dnssecOk = (q[p + 7] & 0x80) != 0;
            edns = dnssecOk ? 2 : 1;
            if (!tcp) {
                max = Math.max(512, Math.min(u16(q, p + 3), udpPayload));
            }
        } else if (p != q.length) {
            return null;
        }
        Key key = new Key(new String(name, 0, n, StandardCharsets.ISO_8859_1), qtype, dclass, max, edns, (q[2] & 1) != 0,
                datacenter);
        return new Plain(key, nameEnd, qtype);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }
}
