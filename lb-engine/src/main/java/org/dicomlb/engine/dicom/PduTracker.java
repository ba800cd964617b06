package org.dicomlb.engine.dicom;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduType;

/**
 * Follows PDU boundaries in one direction of a relayed association ({@code observe-pdus}) and
 * reports each PDU type to the {@link AssociationRecord}. It reads the 6-octet headers only and
 * skips bodies by their length, passing every buffer on unchanged: it never holds or copies
 * data, so a P-DATA-TF of any size (max length 0 means unlimited) costs nothing but the skip.
 * If the stream stops looking like PDUs it stops following and the relay carries on untouched.
 */
final class PduTracker extends ChannelInboundHandlerAdapter {
    private static final int FIRST_TYPE = PduType.A_ASSOCIATE_RQ.code();
    private static final int LAST_TYPE = PduType.A_ABORT.code();

    private final AssociationRecord association;
    private final boolean fromClient;
    private final byte[] header = new byte[PduCodec.HEADER_LENGTH];
    private int headerOctets;
    private long bodyLeft;
    private boolean lost;

    PduTracker(AssociationRecord association, boolean fromClient) {
        this.association = association;
        this.fromClient = fromClient;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            follow(buf);
        }
        ctx.fireChannelRead(msg);
    }

    /** Follows {@code buf} without consuming it; also for bytes read before this handler was added. */
    void follow(ByteBuf buf) {
        if (lost) {
            return;
        }
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (bodyLeft > 0) {
                int n = (int) Math.min(bodyLeft, end - i);
                i += n;
                bodyLeft -= n;
            } else if (headerOctets == 0 && end - i >= header.length) {
                // The usual case: the whole header in this buffer.
                if (!header(buf.getUnsignedByte(i), buf.getUnsignedInt(i + 2))) {
                    return;
                }
                i += header.length;
            } else {
                header[headerOctets++] = buf.getByte(i++);
                if (headerOctets == header.length) {
                    headerOctets = 0;
                    long length = (header[2] & 0xffL) << 24 | (header[3] & 0xffL) << 16 | (header[4] & 0xffL) << 8
                            | (header[5] & 0xffL);
                    if (!header(header[0] & 0xff, length)) {
                        return;
                    }
                }
            }
        }
    }

    /** One PDU header went by; false (and no more following) when it is not one. */
    private boolean header(int type, long length) {
        if (type < FIRST_TYPE || type > LAST_TYPE) {
            lost = true;
            association.untracked();
            return false;
        }
        association.pdu(type, fromClient);
        bodyLeft = length;
        return true;
    }
}
