package org.dicomlb.gslb.dns;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.dicomlb.gslb.dns.DnsMetrics.Result;

/**
 * Finished responses to plain queries, kept per {@link ZoneView} (a new view starts empty, so a
 * health change is never answered from an old entry). A plain query is one question with no
 * compression, no other records but an optional empty OPT of version 0: nearly every query a
 * resolver sends. Its key is everything the response depends on (the name in lower case, type,
 * class, the size limit, EDNS and DO, RD, and the client's datacenter when the zones use
 * topology); a hit copies the stored bytes and puts the query's id and question bytes (its case)
 * in place, which is the same response the dnsjava path builds, for a fraction of the work.
 * Weighted answers change per query and are never stored.
 *
 * <p>A hit allocates nothing: the query is copied out of the receive buffer into this thread's
 * {@link Plain} (one bulk copy; reading its few dozen fields through a buffer's checked accessors
 * cost more), its key reduced to a hash and a packed shape that are compared with the stored
 * entry, and the response written straight into the outgoing buffer. (Building a key object per
 * query was a third of what the GSLB allocated under load, and the young collections that caused
 * were the gap to a bare Netty UDP responder: docs/benchmarks.md.) The table is direct-mapped: an
 * entry lives in the slot its hash picks and a newer response for another key in that slot
 * replaces it, so memory is bounded whatever names a client makes up, and real traffic (a few
 * names) refills it at once. Slots are written and read whole and atomically by any event loop.
 */
final class AnswerCache {
    static final int SLOTS = 4096;

    /** Where the question starts: after the fixed header. */
    private static final int QUESTION = 12;

    /** The longest plain query: header, a name of 255 bytes, type and class, an empty OPT. */
    static final int MAX_PLAIN = QUESTION + 255 + 4 + 11;

    private static final FastThreadLocal<Plain> PLAIN = new FastThreadLocal<>() {
        @Override
        protected Plain initialValue() {
            return new Plain();
        }
    };

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

    /**
     * A plain query as read for a lookup: its bytes, packed shape, the client's datacenter and the
     * key's hash. Mutable on purpose, one per thread and reused, so that reading a query allocates
     * nothing: valid until the same thread reads its next query.
     */
    static final class Plain {
        private final byte[] bytes = new byte[MAX_PLAIN];
        private long shape;
        private String datacenter;
        private int hash;

        int nameLength() {
            return AnswerCache.nameLength(shape);
        }
    }

    /**
     * A stored response with its key: the query name in wire form, lower case (labels with their
     * length bytes, so two names compare equal exactly when their labels do), the packed shape, the
     * datacenter; and what serving it again counts.
     */
    record Entry(int hash, byte[] name, long shape, String datacenter, byte[] wire, Result result, Counter[] answered) {
        /** The query type, as the shape holds it. */
        int qtype() {
            return AnswerCache.qtype(shape);
        }

        boolean matches(Plain p) {
            if (hash != p.hash || shape != p.shape || !Objects.equals(datacenter, p.datacenter)) {
                return false;
            }
            for (int i = 0; i < name.length; i++) {
                if (lower(p.bytes[QUESTION + i]) != name[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Reads {@code q} (its readable bytes, left unread) into this thread's {@link Plain}; null when
     * it is not a plain query.
     *
     * @param datacenter the client's datacenter, "" for none, or null when the zones have no topology
     */
    static Plain read(ByteBuf q, boolean tcp, int udpPayload, String datacenter) {
        int length = q.readableBytes();
        if (length > MAX_PLAIN) {
            return null;
        }
        Plain p = PLAIN.get();
        q.getBytes(q.readerIndex(), p.bytes, 0, length);
        long shape = shape(p.bytes, length, tcp, udpPayload);
        if (shape < 0) {
            return null;
        }
        p.shape = shape;
        p.datacenter = datacenter;
        int h = Long.hashCode(shape) * 31 + Objects.hashCode(datacenter);
        for (int i = QUESTION, end = QUESTION + nameLength(shape); i < end; i++) {
            h = h * 31 + lower(p.bytes[i]);
        }
        // Spread the high bits into the slot index.
        p.hash = h ^ h >>> 16;
        return p;
    }

    /** The stored response to this query, or null. */
    Entry get(Plain p) {
        Entry e = slots.get(p.hash & (SLOTS - 1));
        return e != null && e.matches(p) ? e : null;
    }

    /** Stores {@code wire} as the response to this query. */
    void put(Plain p, byte[] wire, Result result, List<Counter> answered) {
        byte[] name = new byte[p.nameLength()];
        for (int i = 0; i < name.length; i++) {
            name[i] = lower(p.bytes[QUESTION + i]);
        }
        slots.set(p.hash & (SLOTS - 1), new Entry(p.hash, name, p.shape, p.datacenter, wire, result,
                answered.toArray(Counter[]::new)));
    }

    /** Writes the stored response for query {@code p} into {@code out}: its id and question name bytes, the rest as stored. */
    static void render(Entry e, Plain p, ByteBuf out) {
        int start = out.writerIndex();
        out.writeBytes(e.wire());
        out.setBytes(start, p.bytes, 0, 2);
        out.setBytes(start + QUESTION, p.bytes, QUESTION, e.name().length);
    }

    /*
     * A plain query's shape, packed in a long so that reading it allocates nothing: the question
     * name's length in wire form (bits 0-8), type (9-24), class (25-40), the response size limit
     * (41-57), EDNS (58-59: 0 none, 1 present, 2 present with DO) and RD (60). Negative when the
     * query is not plain.
     */
    private static final long NOT_PLAIN = -1;

    /** The shape of the query in {@code q[0, length)}, or {@link #NOT_PLAIN}. */
    static long shape(byte[] q, int length, boolean tcp, int udpPayload) {
        if (length < QUESTION || (q[2] & 0xf8) != 0 || u16(q, 4) != 1 || u16(q, 6) != 0 || u16(q, 8) != 0) {
            return NOT_PLAIN;
        }
        int additional = u16(q, 10);
        if (additional > 1) {
            return NOT_PLAIN;
        }
        int p = QUESTION;
        while (true) {
            if (p >= length) {
                return NOT_PLAIN;
            }
            int len = q[p] & 0xff;
            if (len == 0) {
                p++;
                break;
            }
            // Also refuses compression pointers (0xc0 and up) and names over 255 bytes.
            if (len > 63 || p + 1 + len > length || p + 1 + len - QUESTION > 254) {
                return NOT_PLAIN;
            }
            p += 1 + len;
        }
        int nameLength = p - QUESTION;
        if (p + 4 > length) {
            return NOT_PLAIN;
        }
        int qtype = u16(q, p);
        int dclass = u16(q, p + 2);
        p += 4;
        int max = tcp ? Responder.TCP_MAX : 512;
        int edns = 0;
        if (additional == 1) {
            // Root owner, type OPT, no extended rcode, version 0, no options.
            if (p + 11 != length || q[p] != 0 || u16(q, p + 1) != 41 || q[p + 5] != 0 || q[p + 6] != 0 || u16(q, p + 9) != 0) {
                return NOT_PLAIN;
            }
            boolean dnssecOk = (q[p + 7] & 0x80) != 0;
            edns = dnssecOk ? 2 : 1;
            if (!tcp) {
                max = Math.max(512, Math.min(u16(q, p + 3), udpPayload));
            }
        } else if (p != length) {
            return NOT_PLAIN;
        }
        boolean rd = (q[2] & 1) != 0;
        return nameLength | (long) qtype << 9 | (long) dclass << 25 | (long) max << 41 | (long) edns << 58
                | (rd ? 1L : 0L) << 60;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    static int nameLength(long shape) {
        return (int) (shape & 0x1ff);
    }

    static int qtype(long shape) {
        return (int) (shape >>> 9 & 0xffff);
    }

    /** ASCII lower case; label length bytes (0-63) are below 'A' and stay as they are. */
    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
