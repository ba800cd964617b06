package org.dicomlb.dicom.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduDecodeException;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link PduFrameDecoder} in a Netty pipeline: a byte stream cut into
 * reads of any size. The decoder emits exact, consecutive frames within its bound, or fails once
 * with an {@link InvalidPduException} (nothing else) and then drops what follows; every buffer is
 * released; a frame it emits decodes to a PDU or a {@link PduDecodeException}; and at a frame
 * boundary a valid PDU written after the garbage still comes out whole.
 *
 * <p>The input's first octets choose the bound and the read sizes; the rest is the stream.
 * Seeds: {@code src/test/resources/org/dicomlb/dicom/netty/PduFrameDecoderFuzzTestInputs/frames/}.
 */
class PduFrameDecoderFuzzTest {
    private static final int MAX_STREAM = 64 * 1024;
    private static final byte[] RELEASE_RQ = PduCodec.encodeToArray(ReleaseRq.INSTANCE);

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void frames(FuzzedDataProvider in) {
        long maxPduLength = in.consumeLong(4, 70_000);
        int readSeed = in.consumeInt();
        byte[] stream = in.consumeRemainingAsBytes();
        if (stream.length > MAX_STREAM) {
            return;
        }
        EmbeddedChannel channel = new EmbeddedChannel(new PduFrameDecoder(maxPduLength));
        List<ByteBuf> reads = new ArrayList<>();
        boolean failed = false;
        int offset = 0;
        java.util.SplittableRandom sizes = new java.util.SplittableRandom(readSeed);
        while (offset < stream.length) {
            int n = Math.min(stream.length - offset, 1 + sizes.nextInt(Math.max(1, stream.length / 3 + 1)));
            ByteBuf read = Unpooled.copiedBuffer(stream, offset, n);
            reads.add(read);
            offset += n;
            try {
                channel.writeInbound(read);
            } catch (InvalidPduException e) {
                assertThat(failed).as("the decoder fails once, then drops what follows").isFalse();
                assertThat(e.abortToSend()).isNotNull();
                failed = true;
            }
        }
        int framed = checkFrames(channel, stream, maxPduLength);
        if (!failed && framed == stream.length) {
            channel.writeInbound(Unpooled.wrappedBuffer(RELEASE_RQ));
            ByteBuf frame = channel.readInbound();
            assertThat(frame).as("a valid PDU after the stream").isNotNull();
            assertThat(bytes(frame)).isEqualTo(RELEASE_RQ);
        } else if (failed) {
            channel.writeInbound(Unpooled.wrappedBuffer(RELEASE_RQ));
            assertThat(channel.<Object>readInbound()).as("nothing after a failure").isNull();
        }
        channel.finishAndReleaseAll();
        for (ByteBuf read : reads) {
            assertThat(read.refCnt()).as("every read is released").isZero();
        }
    }

    /** Reads every frame emitted; returns how many octets of the stream they cover. */
    private static int checkFrames(EmbeddedChannel channel, byte[] stream, long maxPduLength) {
        int at = 0;
        for (ByteBuf frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            byte[] octets = bytes(frame);
            assertThat(octets.length).isGreaterThanOrEqualTo(PduCodec.HEADER_LENGTH);
            long length = ((octets[2] & 0xffL) << 24) | ((octets[3] & 0xff) << 16) | ((octets[4] & 0xff) << 8)
                    | (octets[5] & 0xff);
            assertThat(length).isLessThanOrEqualTo(maxPduLength).isEqualTo(octets.length - PduCodec.HEADER_LENGTH);
            assertThat(java.util.Arrays.copyOfRange(stream, at, at + octets.length))
                    .as("frames are consecutive slices of the stream").isEqualTo(octets);
            at += octets.length;
            try {
                Pdu pdu = PduCodec.decode(octets);
                assertThat(pdu).isNotNull();
            } catch (PduDecodeException e) {
                assertThat(e.abortReason()).isNotNull();
            }
        }
        return at;
    }

    private static byte[] bytes(ByteBuf frame) {
        try {
            byte[] out = new byte[frame.readableBytes()];
            frame.readBytes(out);
            return out;
        } finally {
            frame.release();
        }
    }
}
