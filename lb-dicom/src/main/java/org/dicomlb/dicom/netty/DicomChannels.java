package org.dicomlb.dicom.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import java.util.Optional;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.PduCodec;

/** Pipeline plumbing shared by every DICOM channel of ours. */
public final class DicomChannels {
    private DicomChannels() {
    }

    /** Adds the frame decoder (bounded by {@code maxPduLength}) and the PDU codec. */
    public static void addPduCodec(ChannelPipeline pipeline, long maxPduLength) {
        pipeline.addLast("pdu-frames", new PduFrameDecoder(maxPduLength));
        pipeline.addLast("pdu-codec", new PduCodecHandler());
    }

    /**
     * Sends {@code abort} and closes once it is flushed. Written as bytes so it works whatever
     * sits in the pipeline (PDU codec or plain byte relay).
     */
    public static ChannelFuture abortAndClose(Channel channel, Abort abort) {
        if (!channel.isActive()) {
            return channel.close();
        }
        return channel.writeAndFlush(PduCodec.encode(abort, channel.alloc()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The A-ABORT PS3.8 asks for in answer to {@code cause}, when it is a protocol error. */
    public static Optional<Abort> abortFor(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof InvalidPduException e) {
                return Optional.of(e.abortToSend());
            }
        }
        return Optional.empty();
    }
}
