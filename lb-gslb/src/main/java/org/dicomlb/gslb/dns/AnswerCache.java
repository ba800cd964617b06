package org.dicomlb.gslb.dns;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
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
 * <p>A hit allocates nothing: the query is read where it lies in the receive buffer, its key
 * reduced to a hash and a packed {@link #shape} that are compared with the stored entry, and the
 * response written straight into the outgoing buffer. (Building a key object per query was a
 * third of what the GSLB allocated under load, and the young collections that caused were the gap
 * to a bare Netty UDP responder: docs/benchmarks.md.) The table is direct-mapped: an entry lives
 * in the slot its hash picks and a newer response for another key in that slot replaces it, so
 * memory is bounded whatever names a client makes up, and real traffic (a few names) refills it at
 * once. Slots are written and read whole and atomically by any event loop.
 */
final class AnswerCache {
    static final int SLOTS = 4096;

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

    /**
     * A stored response with its key: the query name in wire form, lower case (labels with their
     * length bytes, so two names compare equal exactly when their labels do), the packed shape, the
     * datacenter; and what serving it again counts.
     */
    record Entry(int hash, byte[] name, long shape, String datacenter, byte[] wire, int qtype, Result result,
                 Counter[] answered) {
        boolean matches(int hash, ByteBuf q, long shape, String datacenter) {
            if (this.hash != hash || this.shape != shape || !Objects.equals(this.datacenter, datacenter)) {
                return false;
            }
            int at = q.readerIndex() + QUESTION;
            for (int i = 0; i < name.length; i++) {
                if (lower(q.getByte(at + i)) != name[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The stored response to this query, or null (not a plain query, or none stored for its key). */
    Entry get(ByteBuf q, boolean tcp, int udpPayload, String datacenter) {
        long shape = shape(q, tcp, udpPayload);
        if (shape < 0) {
            return null;
        }
        int hash = hash(q, shape, datacenter);
        Entry e = slots.get(hash & (SLOTS - 1));
        return e != null && e.matches(hash, q, shape, datacenter) ? e : null;
    }

    /** Stores {@code wire} as the response to this query if it is a plain one. */
    void put(ByteBuf q, boolean tcp, int udpPayload, String datacenter, byte[] wire, int qtype, Result result,
             List<Counter> answered) {
        long shape = shape(q, tcp, udpPayload);
        if (shape < 0) {
            return;
        }
        byte[] name = new byte[nameLength(shape)];
        int at = q.readerIndex() + QUESTION;
        for (int i = 0; i < name.length; i++) {
            name[i] = lower(q.getByte(at + i));
        }
        int hash = hash(q, shape, datacenter);
        slots.set(hash & (SLOTS - 1), new Entry(hash, name, shape, datacenter, wire, qtype, result,
                answered.toArray(Counter[]::new)));
    }

    /** Writes the stored response for {@code q} into {@code out}: the query's id and question name bytes, the rest as stored. */
    static void render(Entry e, ByteBuf q, ByteBuf out) {
        int start = out.writerIndex();
        out.writeBytes(e.wire());
        int r = q.readerIndex();
        out.setShort(start, q.getShort(r));
        // Byte by byte: a name is a few dozen bytes, and a buffer-to-buffer copy between two direct
        // buffers goes through an NIO view of each, allocated per call.
        for (int i = QUESTION, end = QUESTION + e.name().length; i < end; i++) {
            out.setByte(start + i, q.getByte(r + i));
        }
    }

    /** Where the question starts: after the fixed header. */
    private static final int QUESTION = 12;

    /*
     * A plain query's shape, packed in a long so that reading it allocates nothing: the question
     * name's length in wire form (bits 0-8), type (9-24), class (25-40), the response size limit
     * (41-57), EDNS (58-59: 0 none, 1 present, 2 present with DO) and RD (60). Negative when the
     * query is not plain.
     */
    private static final long NOT_PLAIN = -1;

    /** The shape of {@code q} (from its reader index to its writer index), or {@link #NOT_PLAIN}. */
    static long shape(ByteBuf q, boolean tcp, int udpPayload) {
        int base = q.readerIndex();
        int length = q.readableBytes();
        if (length < QUESTION || (q.getByte(base + 2) & 0xf8) != 0 || q.getUnsignedShort(base + 4) != 1
                || q.getUnsignedShort(base + 6) != 0 || q.getUnsignedShort(base + 8) != 0) {
            return NOT_PLAIN;
        }
        int additional = q.getUnsignedShort(base + 10);
        if (additional > 1) {
            return NOT_PLAIN;
        }
        int p = QUESTION;
        while (true) {
            if (p >= length) {
                return NOT_PLAIN;
            }
            int len = q.getUnsignedByte(base + p);
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
        int qtype = q.getUnsignedShort(base + p);
        int dclass = q.getUnsignedShort(base + p + 2);
        p += 4;
        int max = tcp ? Responder.TCP_MAX : 512;
        int edns = 0;
        if (additional == 1) {
            // Root owner, type OPT, no extended rcode, version 0, no options.
            if (p + 11 != length || q.getByte(base + p) != 0 || q.getUnsignedShort(base + p + 1) != 41
                    || q.getByte(base + p + 5) != 0 || q.getByte(base + p + 6) != 0 || q.getUnsignedShort(base + p + 9) != 0) {
                return NOT_PLAIN;
            }
            boolean dnssecOk = (q.getByte(base + p + 7) & 0x80) != 0;
            edns = dnssecOk ? 2 : 1;
            if (!tcp) {
                max = Math.max(512, Math.min(q.getUnsignedShort(base + p + 3), udpPayload));
            }
        } else if (p != length) {
            return NOT_PLAIN;
        }
        boolean rd = (q.getByte(base + 2) & 1) != 0;
        return nameLength | (long) qtype << 9 | (long) dclass << 25 | (long) max << 41 | (long) edns << 58
                | (rd ? 1L : 0L) << 60;
    }

    static int nameLength(long shape) {
        return (int) (shape & 0x1ff);
    }

    private static int hash(ByteBuf q, long shape, String datacenter) {
        int h = Long.hashCode(shape) * 31 + Objects.hashCode(datacenter);
        int at = q.readerIndex() + QUESTION;
        for (int i = nameLength(shape) - 1; i >= 0; i--) {
            h = h * 31 + lower(q.getByte(at + i));
        }
        // Spread the high bits into the slot index.
        return h ^ h >>> 16;
    }

    /** ASCII lower case; label length bytes (0-63) are below 'A' and stay as they are. */
    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
