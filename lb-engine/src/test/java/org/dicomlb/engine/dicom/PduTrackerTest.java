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
}
