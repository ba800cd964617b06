package org.dicomlb.engine.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.Random;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.Bytes;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.Pdv;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.engine.access.ConnectionRecord;
import org.junit.jupiter.api.Test;

/** The streaming PDU header follower: counts right across any split, passes buffers untouched. */
class PduTrackerTest {
    private final ConnectionRecord record = new ConnectionRecord("dicom", "dicom", new InetSocketAddress("127.0.0.1", 1));
    private final AssociationRecord association = new AssociationRecord(record);

    private static byte[] pdata(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return PduCodec.encodeToArray(PDataTf.of(new Pdv(1, false, true, new Bytes(data))));
    }

    /** Feeds {@code stream} in chunks of the given sizes (cycled) and returns what came out. */
    private byte[] feed(EmbeddedChannel ch, byte[] stream, int... chunks) {
        int at = 0;
        for (int i = 0; at < stream.length; i++) {
            int n = Math.min(chunks[i % chunks.length], stream.length - at);
            ch.writeInbound(Unpooled.wrappedBuffer(stream, at, n));
            at += n;
        }
        return Pdus.drain(ch.inboundMessages());
    }

    private static byte[] stream(byte[]... pdus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : pdus) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void countsDataPdusAndSeesTheReleaseWhateverTheReadBoundaries() {
        byte[] fromClient = stream(pdata(100), pdata(70_000), pdata(3), PduCodec.encodeToArray(ReleaseRq.INSTANCE));
        byte[] fromBackend = stream(pdata(10), PduCodec.encodeToArray(ReleaseRp.INSTANCE));
        association.accepted(1);
        association.observing();
        EmbeddedChannel client = new EmbeddedChannel(new PduTracker(association, true));
        EmbeddedChannel backend = new EmbeddedChannel(new PduTracker(association, false));

        assertThat(feed(client, fromClient, 1, 5, 2, 4096, 3)).isEqualTo(fromClient);
        assertThat(feed(backend, fromBackend, 6)).isEqualTo(fromBackend);
        association.finish();

        assertThat(record.field("pdata_in")).isEqualTo("3");
        assertThat(record.field("pdata_out")).isEqualTo("1");
        assertThat(record.field("assoc_end")).isEqualTo("released");
    }

    @Test
    void theFirstAbortDecidesWhoEndedIt() {
        association.accepted(1);
        association.observing();
        EmbeddedChannel backend = new EmbeddedChannel(new PduTracker(association, false));
        EmbeddedChannel client = new EmbeddedChannel(new PduTracker(association, true));
        feed(backend, stream(pdata(5), PduCodec.encodeToArray(Abort.BY_SERVICE_USER)), 1000);
        feed(client, PduCodec.encodeToArray(Abort.BY_SERVICE_USER), 1000);
        association.finish();
        assertThat(record.field("assoc_end")).isEqualTo("aborted_by_backend");
    }

    @Test
    void aCloseWithoutReleaseIsSaidSo() {
        association.accepted(1);
        association.observing();
        feed(new EmbeddedChannel(new PduTracker(association, true)), stream(pdata(5),
                PduCodec.encodeToArray(ReleaseRq.INSTANCE)), 7);
        association.finish();
        assertThat(record.field("assoc_end")).isEqualTo("closed_without_release");
    }

    @Test
    void bytesThatAreNoPdusAreRelayedAndTheEndIsUnknown() {
        association.accepted(1);
        association.observing();
        byte[] junk = stream(pdata(5), new byte[] {0x42, 0, 0, 0, 0, 1, 9}, pdata(5));
        assertThat(feed(new EmbeddedChannel(new PduTracker(association, true)), junk, 3)).isEqualTo(junk);
        association.finish();
        assertThat(record.field("assoc_end")).isNull();
        assertThat(record.field("pdata_in")).isNull();
    }

    @Test
    void aWaitForABoundaryPassesTheRestOfThePduInProgressAndDropsWhatFollows() {
        byte[] first = pdata(1000);
        byte[] second = pdata(50);
        association.accepted(1);
        association.observing();
        PduTracker tracker = new PduTracker(association, false);
        EmbeddedChannel ch = new EmbeddedChannel(tracker);
        ch.writeInbound(Unpooled.wrappedBuffer(first, 0, 300));
        assertThat(tracker.atBoundary()).isFalse();
        java.util.List<Boolean> told = new java.util.ArrayList<>();
        tracker.whenAtBoundary(told::add);
        assertThat(told).isEmpty();
        // The end of the first PDU and the whole second one arrive in one read.
        byte[] rest = stream(java.util.Arrays.copyOfRange(first, 300, first.length), second);
        ch.writeInbound(Unpooled.wrappedBuffer(rest));
        assertThat(told).containsExactly(true);
        byte[] out = Pdus.drain(ch.inboundMessages());
        assertThat(out).isEqualTo(first);
        // Nothing more is passed on once the wanted boundary went by.
        ch.writeInbound(Unpooled.wrappedBuffer(pdata(10)));
        assertThat(ch.inboundMessages()).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aWaitAtABoundaryIsAnsweredAtOnceAndALostStreamAnswersFalse() {
        PduTracker atEnd = new PduTracker(association, false);
        EmbeddedChannel ch = new EmbeddedChannel(atEnd);
        ch.writeInbound(Unpooled.wrappedBuffer(pdata(20)));
        java.util.List<Boolean> told = new java.util.ArrayList<>();
        atEnd.whenAtBoundary(told::add);
        assertThat(told).containsExactly(true);
        ch.finishAndReleaseAll();

        PduTracker lost = new PduTracker(association, false);
        EmbeddedChannel other = new EmbeddedChannel(lost);
        other.writeInbound(Unpooled.wrappedBuffer(pdata(500), 0, 100));
        java.util.List<Boolean> toldLost = new java.util.ArrayList<>();
        lost.whenAtBoundary(toldLost::add);
        // The rest of the PDU, then octets that are no PDU header: the stream is lost.
        byte[] rest = stream(java.util.Arrays.copyOfRange(pdata(500), 100, pdata(500).length), new byte[] {0x42, 0, 0, 0, 0, 1, 9});
        other.writeInbound(Unpooled.wrappedBuffer(rest));
        assertThat(toldLost).containsExactly(true);
        other.finishAndReleaseAll();

        PduTracker garbage = new PduTracker(association, false);
        EmbeddedChannel third = new EmbeddedChannel(garbage);
        third.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x42, 0, 0, 0, 0, 1, 9}));
        java.util.List<Boolean> toldGarbage = new java.util.ArrayList<>();
        garbage.whenAtBoundary(toldGarbage::add);
        assertThat(toldGarbage).containsExactly(false);
        third.finishAndReleaseAll();
    }
}
