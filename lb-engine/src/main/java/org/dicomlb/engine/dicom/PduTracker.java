package org.dicomlb.engine.dicom;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduType;

/**
 * Follows PDU boundaries in one direction of a relayed association ({@code observe-pdus}) and
 * reports each PDU type to the {@link AssociationRecord}. It reads the 6-octet headers only and
 * skips bodies by their length, passing every buffer on unchanged: it never holds or copies
 * data, so a P-DATA-TF of any size (max length 0 means unlimited) costs nothing but the skip.
 * If the stream stops looking like PDUs it stops following and the relay carries on untouched.
 *
 * <p>Knowing where PDUs end lets dicomlb put a PDU of its own into the stream (an operator's
 * A-ABORT, {@link #whenAtBoundary}): the bytes of this direction are passed on up to the end of
 * the PDU in progress, then nothing more.
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
    /** Waiting for the next PDU boundary: told true there, or false when the stream is lost. */
    private Consumer<Boolean> atNextBoundary;
    /** The wanted boundary went by: nothing more is passed on. */
    private boolean stopped;

    PduTracker(AssociationRecord association, boolean fromClient) {
        this.association = association;
        this.fromClient = fromClient;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (stopped) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            int cut = follow(buf);
            if (cut >= 0) {
                // Pass on the end of the PDU in progress and drop the rest: the stream ends here.
                ByteBuf head = buf.retainedSlice(buf.readerIndex(), cut - buf.readerIndex());
                buf.release();
                stopped = true;
                Consumer<Boolean> wanted = atNextBoundary;
                atNextBoundary = null;
                ctx.fireChannelRead(head);
                wanted.accept(true);
                return;
            }
        }
        ctx.fireChannelRead(msg);
        if (lost && atNextBoundary != null) {
            Consumer<Boolean> wanted = atNextBoundary;
            atNextBoundary = null;
            wanted.accept(false);
        }
    }

    /** True when every byte passed on so far ends a whole PDU. */
    boolean atBoundary() {
        return !lost && headerOctets == 0 && bodyLeft == 0;
    }

    /**
     * Calls {@code then} once: with true when the stream is at a PDU boundary (at once, or when the
     * PDU in progress has been passed on; what follows it is then dropped), with false when the
     * stream stops looking like PDUs. Event loop only.
     */
    void whenAtBoundary(Consumer<Boolean> then) {
        if (lost) {
            then.accept(false);
        } else if (atBoundary()) {
            stopped = true;
            then.accept(true);
        } else {
            atNextBoundary = then;
        }
    }

    /** Gives up waiting for a boundary; false when the wait had already ended. */
    boolean cancelWait() {
        boolean waiting = atNextBoundary != null;
        atNextBoundary = null;
        return waiting;
    }

    /**
     * Follows {@code buf} without consuming it; also for bytes read before this handler was added.
     * Returns the index in {@code buf} where a boundary {@link #whenAtBoundary} waits for was
     * reached, else -1.
     */
    int follow(ByteBuf buf) {
        if (lost) {
            return -1;
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
                    return -1;
                }
                i += header.length;
            } else {
                header[headerOctets++] = buf.getByte(i++);
                if (headerOctets == header.length) {
                    headerOctets = 0;
                    long length = (header[2] & 0xffL) << 24 | (header[3] & 0xffL) << 16 | (header[4] & 0xffL) << 8
                            | (header[5] & 0xffL);
                    if (!header(header[0] & 0xff, length)) {
                        return -1;
                    }
                }
            }
            if (atNextBoundary != null && atBoundary()) {
                return i;
            }
        }
        return -1;
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
