package org.dicomlb.engine.dicom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.netty.DicomChannels;
import org.dicomlb.dicom.netty.PduFrameDecoder;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduDecodeException;
import org.dicomlb.dicom.pdu.PduType;
import org.dicomlb.dicom.pdu.PresentationContextAc;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.engine.dial.Answer;
import org.dicomlb.engine.dial.Handshake;
import org.dicomlb.engine.pool.Endpoint;

/**
 * The {@link Handshake} of a dicom connection: sends the client's A-ASSOCIATE-RQ to a connected
 * backend and reads the backend's first PDU, within {@code timeouts.associate}.
 *
 * <ul>
 *   <li>A-ASSOCIATE-AC: the backend takes the association ({@link AssociationAnswer.Accepted}).</li>
 *   <li>A-ASSOCIATE-RJ permanent: the client gets it as is ({@link AssociationAnswer.Rejected}).</li>
 *   <li>A-ASSOCIATE-RJ transient, an A-ABORT, any other or malformed PDU, a close, or silence:
 *       {@link Answer.Next}, and the dialer sends the same request to the next backend.</li>
 * </ul>
 *
 * <p>Each attempt sends the octets the client sent; only a backend configured with
 * {@code called-ae} gets the 16-octet called AE field patched in place, which is then undone in
 * its AC (PS3.8 says a requestor must not test the AC's AE fields, but some do).
 */
final class DicomHandshake implements Handshake<AssociationAnswer> {
    /** The called and calling AE fields of A-ASSOCIATE-RQ/AC: octets 10..41 (PS3.8 §9.3.2). */
    static final int AE_FIELDS_OFFSET = 10;
    static final int AE_FIELDS_LENGTH = 2 * AeTitle.WIRE_LENGTH;
    private static final String FRAME_DECODER = "associate-answer-frame";
    private static final String ANSWER = "associate-answer";

    private final byte[] rq;
    private final int maxPdu;
    private final Duration timeout;

    /**
     * @param rq     the client's A-ASSOCIATE-RQ, header included, exactly as received
     * @param maxPdu the largest answer accepted, header included
     */
    DicomHandshake(byte[] rq, int maxPdu, Duration timeout) {
        this.rq = rq;
        this.maxPdu = maxPdu;
        this.timeout = timeout;
    }

    @Override
    public void start(Channel backend, Endpoint e, Consumer<Answer<AssociationAnswer>> answer) {
        Optional<AeTitle> rewrite = e.backend().config().calledAe();
        byte[] out = rq;
        if (rewrite.isPresent()) {
            out = rq.clone();
            System.arraycopy(rewrite.get().toWire(), 0, out, AE_FIELDS_OFFSET, AeTitle.WIRE_LENGTH);
        }
        Reader reader = new Reader(rewrite, answer);
        backend.pipeline().addLast(FRAME_DECODER, new PduFrameDecoder(maxPdu - PduCodec.HEADER_LENGTH));
        backend.pipeline().addLast(ANSWER, reader);
        reader.timer = backend.eventLoop().schedule(() -> reader.failed("associate_timeout"), timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        backend.writeAndFlush(Unpooled.wrappedBuffer(out)).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                reader.failed("associate_closed");
            }
        });
        backend.read();
    }

    /** Counts the accepted presentation contexts of an AC, or -1 when it cannot be read. */
    static int acceptedContexts(ByteBuf ac) {
        try {
            return (int) ((AssociateAc) PduCodec.decode(ac.duplicate())).presentationContexts().stream()
                    .filter(PresentationContextAc::accepted).count();
        } catch (PduDecodeException | RuntimeException e) {
            // Relayed all the same: the client, not dicomlb, judges the backend's answer.
            return -1;
        }
    }

    /** Reads one backend's answer; one instance per attempt, on the backend's pipeline. */
    private final class Reader extends ChannelInboundHandlerAdapter {
        private final Optional<AeTitle> rewrite;
        private final Consumer<Answer<AssociationAnswer>> answer;
        /** What the backend sent after its AC in the same read, for the client. */
        private final List<ByteBuf> after = new ArrayList<>();
        private boolean decided;
        /** The answer was an AC and the handlers are coming off: later octets belong to the client. */
        private boolean handingOver;
        private ScheduledFuture<?> timer;

        Reader(Optional<AeTitle> rewrite, Consumer<Answer<AssociationAnswer>> answer) {
            this.rewrite = rewrite;
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (decided || !(msg instanceof ByteBuf frame)) {
                if (handingOver && msg instanceof ByteBuf b) {
                    after.add(b);
                } else {
                    ReferenceCountUtil.release(msg);
                }
                return;
            }
            decided = true;
            timer.cancel(false);
            int type = frame.getUnsignedByte(frame.readerIndex());
            if (type == PduType.A_ASSOCIATE_AC.code()) {
                accepted(ctx, frame);
            } else if (type == PduType.A_ASSOCIATE_RJ.code()) {
                rejected(ctx, frame);
            } else {
                frame.release();
                next(type == PduType.A_ABORT.code() ? "associate_aborted" : "associate_unexpected");
            }
        }

        private void accepted(ChannelHandlerContext ctx, ByteBuf frame) {
            int contexts = acceptedContexts(frame);
            ByteBuf ac = ctx.alloc().buffer(frame.readableBytes()).writeBytes(frame);
            frame.release();
            if (rewrite.isPresent()) {
                ac.setBytes(ac.readerIndex() + AE_FIELDS_OFFSET, rq, AE_FIELDS_OFFSET, AE_FIELDS_LENGTH);
            }
            List<ByteBuf> toClient = new ArrayList<>();
            toClient.add(ac);
            handingOver = true;
            leave(ctx);
            toClient.addAll(after);
            after.clear();
            answer.accept(new Answer.Take<>(new AssociationAnswer.Accepted(toClient, contexts, rewrite)));
        }

        private void rejected(ChannelHandlerContext ctx, ByteBuf frame) {
            AssociateRj rj;
            try {
                rj = (AssociateRj) PduCodec.decode(frame.duplicate());
            } catch (PduDecodeException e) {
                frame.release();
                next("associate_invalid");
                return;
            }
            if (rj.result() == RejectResult.TRANSIENT) {
                frame.release();
                next("associate_rejected");
                return;
            }
            leave(ctx);
            answer.accept(new Answer.Take<>(new AssociationAnswer.Rejected(rj, frame, rewrite)));
        }

        /** Takes the handshake handlers off; bytes the decoder still held arrive in {@link #after}. */
        private void leave(ChannelHandlerContext ctx) {
            ctx.pipeline().remove(FRAME_DECODER);
            ctx.pipeline().remove(this);
        }

        void failed(String reason) {
            if (!decided) {
                decided = true;
                next(reason);
            }
        }

        /** This backend will not take the association; a refusal when it answered one. */
        private void next(String reason) {
            timer.cancel(false);
            boolean refused = reason.equals("associate_rejected") || reason.equals("associate_aborted");
            answer.accept(new Answer.Next<>(reason, refused));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failed("associate_closed");
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // Half-closure is allowed on relay channels, so a backend's FIN arrives as this event.
            if (evt instanceof ChannelInputShutdownEvent) {
                failed("associate_closed");
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(DicomChannels.abortFor(cause).isPresent() ? "associate_invalid" : "associate_closed");
            ctx.close();
        }
    }
}
