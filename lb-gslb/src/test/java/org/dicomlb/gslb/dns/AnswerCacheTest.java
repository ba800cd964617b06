package org.dicomlb.gslb.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.dicomlb.gslb.DnsClient;
import org.dicomlb.gslb.dns.DnsMetrics.Result;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The stored-response table read straight from query buffers, as the UDP path hands them over. */
class AnswerCacheTest {
    private static final int PAYLOAD = 1232;
    private final AnswerCache cache = new AnswerCache();

    @Test
    void aQueryForTheSameNameInAnotherCaseFindsTheEntryAndGetsItsOwnIdAndCase() throws Exception {
        byte[] stored = response("dicom.example.org", 7);
        put(query("dicom.example.org", Type.A, 7), false, null, stored, Result.NOERROR);
        AnswerCache.Plain second = AnswerCache.read(query("DICOM.Example.ORG", Type.A, 8), false, PAYLOAD, null);
        AnswerCache.Entry e = cache.get(second);
        assertThat(e).isNotNull();
        ByteBuf out = Unpooled.buffer();
        out.writeByte(0xee); // rendering appends: whatever the buffer already holds stays
        AnswerCache.render(e, second, out);
        byte[] expected = response("DICOM.Example.ORG", 8);
        assertThat(out.readByte()).isEqualTo((byte) 0xee);
        assertThat(bytes(out)).isEqualTo(expected);
    }

    @Test
    void everyPartOfTheKeyTellsEntriesApart() throws Exception {
        put(query("dicom.example.org", Type.A, 1), false, "dc-a", new byte[12], Result.NOERROR);
        assertThat(get(query("dicom.example.org", Type.A, 2), false, "dc-a")).isNotNull();
        assertThat(get(query("dicom.example.org", Type.AAAA, 2), false, "dc-a")).isNull();
        assertThat(get(query("dicom.example.org", Type.A, 2), false, "dc-b")).isNull();
        assertThat(get(query("dicom.example.org", Type.A, 2), false, null)).isNull();
        assertThat(get(query("dicom.example.org", Type.A, 2), true, "dc-a")).isNull();
        assertThat(get(query("dicom.example.com", Type.A, 2), false, "dc-a")).isNull();
        assertThat(get(query("dicom.example.org.x", Type.A, 2), false, "dc-a")).isNull();
        Message noRd = DnsClient.query("dicom.example.org", Type.A);
        noRd.getHeader().unsetFlag(Flags.RD);
        assertThat(get(Unpooled.wrappedBuffer(noRd.toWire()), false, "dc-a")).isNull();
        Message chaos = Message.newQuery(Record.newRecord(Name.fromString("dicom.example.org."), Type.A, DClass.CH));
        chaos.getHeader().setFlag(Flags.RD);
        assertThat(get(Unpooled.wrappedBuffer(chaos.toWire()), false, "dc-a")).isNull();
    }

    @Test
    void ednsPayloadAndDoAreTheirOwnKeys() throws Exception {
        put(edns(1232, false), false, null, new byte[12], Result.NOERROR);
        assertThat(get(edns(1232, false), false, null)).isNotNull();
        assertThat(get(edns(1232, true), false, null)).isNull();
        assertThat(get(edns(4096, false), false, null)).as("capped at our payload size: the same limit").isNotNull();
        assertThat(get(edns(1000, false), false, null)).isNull();
        assertThat(get(query("dicom.example.org", Type.A, 1), false, null)).isNull();
    }

    @Test
    void aLabelHoldingADotIsAnotherName() throws Exception {
        put(query("www.dicom.example.org", Type.A, 1), false, null, new byte[12], Result.NXDOMAIN);
        assertThat(get(query("www.dicom.example.org", Type.A, 2), false, null)).isNotNull();
        assertThat(get(query("www\\.dicom.example.org", Type.A, 2), false, null)).isNull();
    }

    @Test
    void queriesThatAreNotPlainAreNeitherStoredNorFound() throws Exception {
        byte[] plain = query("dicom.example.org", Type.A, 1).array();
        byte[] twoQuestions = plain.clone();
        twoQuestions[5] = 2;
        byte[] trailing = java.util.Arrays.copyOf(plain, plain.length + 1);
        byte[] compressed = plain.clone();
        compressed[12] = (byte) 0xc0;
        byte[] cut = java.util.Arrays.copyOf(plain, plain.length - 2);
        Message withOption = new Message();
        withOption.addRecord(Record.newRecord(Name.fromString("dicom.example.org."), Type.A, DClass.IN), Section.QUESTION);
        withOption.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new org.xbill.DNS.ClientSubnetOption(24,
                java.net.InetAddress.getByName("127.0.1.0")))), Section.ADDITIONAL);
        for (byte[] q : List.of(twoQuestions, trailing, compressed, cut, withOption.toWire(), new byte[5])) {
            assertThat(AnswerCache.shape(q, q.length, false, PAYLOAD)).isNegative();
            assertThat(AnswerCache.read(Unpooled.wrappedBuffer(q), false, PAYLOAD, null)).isNull();
            put(Unpooled.wrappedBuffer(q), false, null, new byte[12], Result.NOERROR);
            assertThat(get(Unpooled.wrappedBuffer(q), false, null)).isNull();
        }
    }

    @Test
    void aQueryInsideALargerBufferIsReadFromItsReaderIndex() throws Exception {
        put(query("dicom.example.org", Type.A, 1), false, null, response("dicom.example.org", 1), Result.NOERROR);
        byte[] q = query("Dicom.example.org", Type.A, 9).array();
        // As a recvmmsg batch hands datagrams over: slices of one receive buffer.
        ByteBuf batch = Unpooled.buffer().writeBytes(new byte[]{1, 2, 3}).writeBytes(q).writeBytes(new byte[]{4, 5});
        ByteBuf slice = batch.slice(3, q.length);
        AnswerCache.Entry e = get(batch.readerIndex(3).writerIndex(3 + q.length), false, null);
        assertThat(e).isNotNull();
        assertThat(get(slice, false, null)).isSameAs(e);
        ByteBuf out = Unpooled.buffer();
        AnswerCache.render(e, AnswerCache.read(slice, false, PAYLOAD, null), out);
        assertThat(bytes(out)).isEqualTo(response("Dicom.example.org", 9));
    }

    @Test
    void aQueryTooLongToBePlainIsNotReadAtAll() throws Exception {
        byte[] q = java.util.Arrays.copyOf(query("dicom.example.org", Type.A, 1).array(), AnswerCache.MAX_PLAIN + 1);
        assertThat(AnswerCache.read(Unpooled.wrappedBuffer(q), false, PAYLOAD, null)).isNull();
    }

    @Test
    void manyNamesNeverGrowItAndNeverAnswerOneNameWithAnothersResponse() throws Exception {
        int names = AnswerCache.SLOTS * 3;
        for (int i = 0; i < names; i++) {
            String name = "n" + i + ".dicom.example.org";
            put(query(name, Type.A, i), false, null, response(name, i), Result.NXDOMAIN);
        }
        int found = 0;
        for (int i = 0; i < names; i++) {
            String name = "n" + i + ".dicom.example.org";
            AnswerCache.Entry e = get(query(name, Type.A, 1), false, null);
            if (e != null) {
                found++;
                assertThat(e.wire()).isEqualTo(response(name, i));
            }
        }
        assertThat(found).isPositive().isLessThanOrEqualTo(AnswerCache.SLOTS);
        String last = "n" + (names - 1) + ".dicom.example.org";
        assertThat(get(query(last, Type.A, 1), false, null)).as("the newest is always kept").isNotNull();
    }

    private void put(ByteBuf q, boolean tcp, String datacenter, byte[] wire, Result result) {
        AnswerCache.Plain p = AnswerCache.read(q, tcp, PAYLOAD, datacenter);
        if (p != null) {
            cache.put(p, wire, result, List.of());
        }
    }

    private AnswerCache.Entry get(ByteBuf q, boolean tcp, String datacenter) {
        AnswerCache.Plain p = AnswerCache.read(q, tcp, PAYLOAD, datacenter);
        return p == null ? null : cache.get(p);
    }

    private static ByteBuf query(String name, int type, int id) {
        Message m = DnsClient.query(name, type);
        m.getHeader().setID(id);
        return Unpooled.wrappedBuffer(m.toWire());
    }

    private static ByteBuf edns(int payload, boolean dnssecOk) {
        Message m = DnsClient.query("dicom.example.org", Type.A);
        m.addRecord(new OPTRecord(payload, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        return Unpooled.wrappedBuffer(m.toWire());
    }

    /** A response as the dnsjava path renders it: question echoed, one A record compressed against it. */
    private static byte[] response(String name, int id) throws Exception {
        Name n = Name.fromString(name, Name.root);
        Message r = new Message(id);
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        r.getHeader().setFlag(Flags.RD);
        r.addRecord(Record.newRecord(n, Type.A, DClass.IN), Section.QUESTION);
        r.addRecord(new org.xbill.DNS.ARecord(n, DClass.IN, 5, java.net.InetAddress.getByName("127.0.1.1")), Section.ANSWER);
        return r.toWire(512);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }
}
