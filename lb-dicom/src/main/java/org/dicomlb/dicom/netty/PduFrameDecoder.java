package org.dicomlb.dicom.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduType;

/**
 * Splits a byte stream into whole PDUs, each emitted as a retained {@link ByteBuf} slice that
 * starts with the 6-byte header. Memory stays within {@code maxPduLength} plus one read: the
 * type and the length are checked as soon as the header is in, so an unknown type or an absurd
 * length (up to 0xFFFFFFFF) fails at once instead of waiting for a body that would never fit.
 * After a failure the decoder discards everything else the peer sends; the handler that sees
 * the {@link InvalidPduException} answers with an A-ABORT and closes.
 */
public final class PduFrameDecoder extends ByteToMessageDecoder {
    private final long maxPduLength;
    private boolean failed;

    /**
     * @param maxPduLength the largest PDU length field (octets after the header) accepted;
     *                     at most {@code Integer.MAX_VALUE - 6} because a frame is one buffer
     */
    public PduFrameDecoder(long maxPduLength) {
        if (maxPduLength < 4 || maxPduLength > Integer.MAX_VALUE - PduCodec.HEADER_LENGTH) {
            throw new IllegalArgumentException("max PDU length " + maxPduLength + " is outside 4.."
                    + (Integer.MAX_VALUE - PduCodec.HEADER_LENGTH));
        }
        this.maxPduLength = maxPduLength;
    }

    public long maxPduLength() {
        return maxPduLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < PduCodec.HEADER_LENGTH) {
            return;
        }
        int at = in.readerIndex();
        int type = in.getUnsignedByte(at);
        if (PduType.fromCode(type).isEmpty()) {
            throw fail(in, AbortReason.UNRECOGNIZED_PDU, String.format("PDU type 0x%02x is not defined", type));
        }
        long length = in.getUnsignedInt(at + 2);
        if (length > maxPduLength) {
            throw fail(in, AbortReason.INVALID_PDU_PARAMETER_VALUE, PduType.fromCode(type).orElseThrow().standardName()
                    + " announces " + length + " octets, more than the " + maxPduLength + " accepted");
        }
        int frameLength = PduCodec.HEADER_LENGTH + (int) length;
        if (in.readableBytes() >= frameLength) {
            out.add(in.readRetainedSlice(frameLength));
        }
    }

    private InvalidPduException fail(ByteBuf in, AbortReason reason, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return new InvalidPduException(reason, message, null);
    }
}
