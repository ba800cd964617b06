package org.dicomlb.dicom.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduDecodeException;

/**
 * Sits after {@link PduFrameDecoder}: turns each frame into a {@link Pdu} and each written
 * {@link Pdu} into bytes. Raw {@link ByteBuf}s written past it go out unchanged, so a pipeline
 * can switch to relaying bytes without removing it. Not sharable: decoding state is per channel
 * in the frame decoder before it, and Netty's codec base class keeps per-channel state too.
 */
public final class PduCodecHandler extends MessageToMessageCodec<ByteBuf, Pdu> {
    @Override
    protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
        out.add(PduCodec.encode(pdu, ctx.alloc()));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        try {
            out.add(PduCodec.decode(frame));
        } catch (PduDecodeException e) {
            throw new InvalidPduException(e.abortReason(), e.getMessage(), e);
        }
    }
}
