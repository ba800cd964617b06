package org.dicomlb.dicom.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.dicom.Hex.bytes;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.junit.jupiter.api.Test;

class PduFrameDecoderTest {
    private static final byte[] RELEASE_RQ = bytes("05 00 00000004 00000000");
    private static final byte[] ABORT = bytes("07 00 00000004 00 00 02 01");

    @Test
    void emitsWholePdusWhateverTheSegmentation() {
        EmbeddedChannel ch = new EmbeddedChannel(new PduFrameDecoder(1024));
        byte[] two = bytes(RELEASE_RQ, ABORT);
        // Split inside the first header, then a segment holding the rest of one and all of the other.
        ch.writeInbound(Unpooled.wrappedBuffer(two, 0, 3));
        assertThat(ch.<Object>readInbound()).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(two, 3, two.length - 3));
        assertThat(readFrame(ch)).isEqualTo(RELEASE_RQ);
        assertThat(readFrame(ch)).isEqualTo(ABORT);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void slowDripStillYieldsThePdu() {
        EmbeddedChannel ch = new EmbeddedChannel(new PduFrameDecoder(1024));
        for (byte b : RELEASE_RQ) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(readFrame(ch)).isEqualTo(RELEASE_RQ);
        ch.finishAndReleaseAll();
    }

    @Test
    void absurdLengthFailsFromTheHeaderAlone() {
        EmbeddedChannel ch = new EmbeddedChannel(new PduFrameDecoder(64 * 1024));
        ByteBuf header = Unpooled.wrappedBuffer(bytes("04 00 FFFFFFFF"));
        assertThatThrownBy(() -> ch.writeInbound(header))
                .isInstanceOf(InvalidPduException.class)
                .hasMessageContaining("4294967295")
                .satisfies(e -> assertThat(((InvalidPduException) e).abortReason())
                        .isEqualTo(AbortReason.INVALID_PDU_PARAMETER_VALUE));
        assertThat(header.refCnt()).isZero();
        // Whatever follows is dropped, not buffered and not decoded.
        ByteBuf more = Unpooled.wrappedBuffer(RELEASE_RQ);
        ch.writeInbound(more);
        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(more.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void lengthJustAboveTheBoundFailsAndAtTheBoundPasses() {
        EmbeddedChannel ok = new EmbeddedChannel(new PduFrameDecoder(4));
        ok.writeInbound(Unpooled.wrappedBuffer(RELEASE_RQ));
        assertThat(readFrame(ok)).isEqualTo(RELEASE_RQ);
        EmbeddedChannel tooBig = new EmbeddedChannel(new PduFrameDecoder(4));
        assertThatThrownBy(() -> tooBig.writeInbound(Unpooled.wrappedBuffer(bytes("04 00 00000005"))))
                .isInstanceOf(InvalidPduException.class);
        ok.finishAndReleaseAll();
        tooBig.finishAndReleaseAll();
    }

    @Test
    void unknownTypesFailAtOnce() {
        for (int type : new int[] {0x00, 0x08, 0x47, 0xFF}) {
            EmbeddedChannel ch = new EmbeddedChannel(new PduFrameDecoder(1024));
            assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(bytes(String.format("%02X", type),
                    "00 00000004 00000000"))))
                    .isInstanceOf(InvalidPduException.class)
                    .satisfies(e -> assertThat(((InvalidPduException) e).abortReason())
                            .isEqualTo(AbortReason.UNRECOGNIZED_PDU));
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void memoryStaysWithinTheBoundUnderADripOfAHugePdu() {
        int bound = 64 * 1024;
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        EmbeddedChannel ch = new EmbeddedChannel(new PduFrameDecoder(bound));
        ch.config().setAllocator(alloc);
        // Header announcing exactly the bound, then 1 MiB trickling in: the first 64 KiB complete
        // the PDU, the rest starts a frame with an unknown type (zero) and is refused.
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("04 00", String.format("%08X", bound))));
        long peak = 0;
        boolean failed = false;
        byte[] chunk = new byte[512];
        for (int i = 0; i < 2048 && !failed; i++) {
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(chunk));
            } catch (InvalidPduException e) {
                failed = true;
            }
            peak = Math.max(peak, alloc.metric().usedHeapMemory());
        }
        assertThat(failed).isTrue();
        ByteBuf frame = ch.readInbound();
        assertThat(frame.readableBytes()).isEqualTo(6 + bound);
        frame.release();
        // The cumulation may round up, but never holds much more than one PDU (and the metric
        // does see it: it had to hold the whole PDU once).
        assertThat(peak).isBetween((long) bound, 2L * bound + 4096);
        ch.finishAndReleaseAll();
    }

    @Test
    void codecHandlerTurnsFramesIntoPdusAndBack() {
        EmbeddedChannel ch = new EmbeddedChannel();
        DicomChannels.addPduCodec(ch.pipeline(), 1024);
        ch.writeInbound(Unpooled.wrappedBuffer(RELEASE_RQ));
        assertThat((Pdu) ch.readInbound()).isEqualTo(ReleaseRq.INSTANCE);
        ch.writeOutbound(ReleaseRq.INSTANCE);
        ByteBuf out = ch.readOutbound();
        assertThat(ByteBufUtilBytes.of(out)).isEqualTo(RELEASE_RQ);
        // A raw buffer written past the codec goes out untouched (byte relay after association).
        ch.writeOutbound(Unpooled.wrappedBuffer(ABORT));
        assertThat(ByteBufUtilBytes.of(ch.readOutbound())).isEqualTo(ABORT);
        ch.finishAndReleaseAll();
    }

    @Test
    void codecHandlerReportsAnInvalidBodyWithItsAbortReason() {
        EmbeddedChannel ch = new EmbeddedChannel();
        DicomChannels.addPduCodec(ch.pipeline(), 1024);
        ByteBuf bad = Unpooled.wrappedBuffer(bytes("03 00 00000004 00 09 01 01"));
        assertThatThrownBy(() -> ch.writeInbound(bad))
                .isInstanceOf(InvalidPduException.class)
                .satisfies(e -> assertThat(DicomChannels.abortFor(e)).hasValueSatisfying(
                        a -> assertThat(a.reason()).isEqualTo(AbortReason.INVALID_PDU_PARAMETER_VALUE)));
        assertThat(bad.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void largeFragmentedPDataPassesThroughIntact() {
        byte[] message = new byte[50_000];
        new java.util.Random(7).nextBytes(message);
        List<PDataTf> parts = PDataTf.fragment(5, false, message, 16_384);
        EmbeddedChannel ch = new EmbeddedChannel();
        DicomChannels.addPduCodec(ch.pipeline(), 16_384);
        ByteBuf all = Unpooled.buffer();
        parts.forEach(p -> PduCodec.encodeInto(p, all));
        ch.writeInbound(all);
        List<PDataTf> got = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            got.add((PDataTf) o);
        }
        assertThat(got).isEqualTo(parts);
        ch.finishAndReleaseAll();
    }

    private static byte[] readFrame(EmbeddedChannel ch) {
        ByteBuf frame = ch.readInbound();
        assertThat(frame).as("a frame").isNotNull();
        return ByteBufUtilBytes.of(frame);
    }

    /** Copies and releases. */
    static final class ByteBufUtilBytes {
        static byte[] of(ByteBuf buf) {
            try {
                return io.netty.buffer.ByteBufUtil.getBytes(buf);
            } finally {
                buf.release();
            }
        }
    }
}
