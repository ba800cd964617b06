package org.dicomlb.dicom.echo;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.dimse.CommandAssembler;
import org.dicomlb.dicom.dimse.CommandField;
import org.dicomlb.dicom.dimse.DimseCodec;
import org.dicomlb.dicom.dimse.DimseCommand;
import org.dicomlb.dicom.dimse.DimseException;
import org.dicomlb.dicom.dimse.Status;
import org.dicomlb.dicom.netty.DicomChannels;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.Pdv;
import org.dicomlb.dicom.pdu.PresentationContextAc;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.dicom.pdu.UserInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requestor side of one C-ECHO association. Runs entirely on its channel's event loop, so
 * its fields need no synchronisation. The outcome is decided once ({@link #decide}) and read
 * when the channel has closed.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(EchoHandler.class);

    static final int CONTEXT_ID = 1;
    static final int MESSAGE_ID = 1;
    /** A peer slow to confirm release must not hold the result back for the whole timeout. */
    static final Duration MAX_RELEASE_WAIT = Duration.ofSeconds(2);

    private enum State { CONNECTING, AWAIT_AC, AWAIT_RSP, AWAIT_RP, DONE }

    private final EchoRequest request;
    private final long startedNanos;
    private final CommandAssembler command = new CommandAssembler(16 * 1024);
    private State state = State.CONNECTING;
    private volatile EchoResult outcome;
    private ScheduledFuture<?> timer;

    EchoHandler(EchoRequest request, long startedNanos) {
        this.request = request;
        this.startedNanos = startedNanos;
    }

    /** Records the outcome unless one was decided already; the first decision stands. */
    void decide(EchoResult result) {
        if (outcome == null) {
            outcome = result;
        }
    }

    /** The decided outcome; a close before any decision is a dropped connection. */
    EchoResult outcome() {
        EchoResult o = outcome;
        return o != null ? o : new EchoResult.ProtocolError("connection closed before the echo completed");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long remaining = request.timeout().toNanos() - (System.nanoTime() - startedNanos);
        timer = ctx.executor().schedule(() -> onTimeout(ctx), Math.max(0, remaining), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Also reached when the connect failed and channelInactive never fires.
        cancelTimer();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        state = State.AWAIT_AC;
        AssociateRq rq = AssociateRq.of(request.calledAe(), request.callingAe(),
                List.of(PresentationContextRq.of(CONTEXT_ID, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN)),
                UserInformation.dicomlb(EchoScu.ADVERTISED_MAX_LENGTH));
        ctx.writeAndFlush(rq).addListener(f -> {
            if (!f.isSuccess()) {
                fail(ctx, "could not send A-ASSOCIATE-RQ: " + EchoScu.describe(f.cause()));
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state == State.DONE) {
                return;
            }
            if (msg instanceof Pdu pdu) {
                onPdu(ctx, pdu);
            } else {
                fail(ctx, "unexpected message " + msg.getClass().getSimpleName());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onPdu(ChannelHandlerContext ctx, Pdu pdu) {
        switch (pdu) {
            case Abort a -> {
                decide(new EchoResult.Aborted(a.source(), a.reason()));
                finish(ctx);
            }
            case AssociateAc ac when state == State.AWAIT_AC -> onAccepted(ctx, ac);
            case AssociateRj rj when state == State.AWAIT_AC -> {
                decide(new EchoResult.Rejected(rj.result(), rj.source(), rj.reason()));
                finish(ctx);
            }
            case PDataTf p when state == State.AWAIT_RSP -> onData(ctx, p);
            case PDataTf _ when state == State.AWAIT_RP -> log.debug("ignoring P-DATA-TF while releasing");
            case ReleaseRp _ when state == State.AWAIT_RP -> finish(ctx);
            case ReleaseRq _ when state == State.AWAIT_RP -> {
                // Release collision (PS3.8 §7.2): we requested the association, so we answer first.
                finishAfter(ctx, ReleaseRp.INSTANCE);
            }
            case ReleaseRq _ when state == State.AWAIT_RSP -> {
                decide(new EchoResult.ProtocolError("peer requested release before answering the C-ECHO"));
                finishAfter(ctx, ReleaseRp.INSTANCE);
            }
            default -> protocolAbort(ctx, AbortReason.UNEXPECTED_PDU,
                    pdu.type().standardName() + " is unexpected while " + describe(state));
        }
    }

    private void onAccepted(ChannelHandlerContext ctx, AssociateAc ac) {
        Optional<PresentationContextAc> pc = ac.presentationContext(CONTEXT_ID);
        if (pc.isEmpty()) {
            protocolAbort(ctx, AbortReason.INVALID_PDU_PARAMETER_VALUE,
                    "A-ASSOCIATE-AC does not answer presentation context " + CONTEXT_ID);
            return;
        }
        if (!pc.get().accepted()) {
            decide(new EchoResult.VerificationNotAccepted(pc.get().result()));
            release(ctx);
            return;
        }
        if (!Uids.IMPLICIT_VR_LITTLE_ENDIAN.equals(pc.get().transferSyntax())) {
            protocolAbort(ctx, AbortReason.INVALID_PDU_PARAMETER_VALUE,
                    "peer accepted transfer syntax " + pc.get().transferSyntax() + ", which we did not propose");
            return;
        }
        List<PDataTf> pdus;
        try {
            pdus = PDataTf.fragment(CONTEXT_ID, true, DimseCodec.encode(DimseCommand.echoRq(MESSAGE_ID)),
                    ac.userInformation().maxLength());
        } catch (IllegalArgumentException e) {
            protocolAbort(ctx, AbortReason.INVALID_PDU_PARAMETER_VALUE, e.getMessage());
            return;
        }
        state = State.AWAIT_RSP;
        pdus.forEach(ctx::write);
        ctx.flush();
    }

    private void onData(ChannelHandlerContext ctx, PDataTf p) {
        for (Pdv pdv : p.pdvs()) {
            if (pdv.contextId() != CONTEXT_ID || !pdv.command()) {
                protocolAbort(ctx, AbortReason.UNEXPECTED_PDU_PARAMETER, "C-ECHO-RSP expected, got a "
                        + (pdv.command() ? "command" : "data set") + " fragment on context " + pdv.contextId());
                return;
            }
            try {
                Optional<byte[]> whole = command.add(pdv);
                if (whole.isPresent()) {
                    onResponse(ctx, DimseCodec.decode(whole.get()));
                    return;
                }
            } catch (DimseException e) {
                protocolAbort(ctx, AbortReason.NOT_SPECIFIED, "unreadable C-ECHO-RSP: " + e.getMessage());
                return;
            }
        }
    }

    private void onResponse(ChannelHandlerContext ctx, DimseCommand rsp) {
        if (rsp.commandField() != CommandField.C_ECHO_RSP) {
            protocolAbort(ctx, AbortReason.NOT_SPECIFIED, "expected C-ECHO-RSP, got " + rsp.commandField());
            return;
        }
        if (rsp.messageIdBeingRespondedTo().orElse(-1) != MESSAGE_ID) {
            protocolAbort(ctx, AbortReason.NOT_SPECIFIED, "C-ECHO-RSP answers message "
                    + rsp.messageIdBeingRespondedTo() + ", we sent " + MESSAGE_ID);
            return;
        }
        int status = rsp.status().orElse(-1);
        if (status == -1) {
            protocolAbort(ctx, AbortReason.NOT_SPECIFIED, "C-ECHO-RSP has no status");
            return;
        }
        Duration rtt = Duration.ofNanos(System.nanoTime() - startedNanos);
        decide(Status.isSuccess(status) ? new EchoResult.Success(rtt, status) : new EchoResult.Failed(status));
        release(ctx);
    }

    private void release(ChannelHandlerContext ctx) {
        state = State.AWAIT_RP;
        ctx.writeAndFlush(ReleaseRq.INSTANCE);
        long remaining = request.timeout().toNanos() - (System.nanoTime() - startedNanos);
        long wait = Math.min(remaining, MAX_RELEASE_WAIT.toNanos());
        if (timer != null) {
            timer.cancel(false);
        }
        timer = ctx.executor().schedule(() -> onTimeout(ctx), Math.max(0, wait), TimeUnit.NANOSECONDS);
    }

    private void onTimeout(ChannelHandlerContext ctx) {
        switch (state) {
            case CONNECTING -> decide(new EchoResult.Timeout(EchoResult.Phase.CONNECT));
            case AWAIT_AC -> decide(new EchoResult.Timeout(EchoResult.Phase.ASSOCIATE));
            case AWAIT_RSP -> decide(new EchoResult.Timeout(EchoResult.Phase.ECHO));
            case AWAIT_RP -> log.debug("{} did not confirm release in time; closing", request.address());
            case DONE -> {
                return;
            }
        }
        if (state == State.AWAIT_AC || state == State.AWAIT_RSP) {
            // An abort tells the peer we gave up, so it does not keep state for a dead association.
            state = State.DONE;
            DicomChannels.abortAndClose(ctx.channel(), Abort.BY_SERVICE_USER);
        } else {
            finish(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.DONE && state != State.AWAIT_RP) {
            decide(new EchoResult.ProtocolError("peer closed the connection while " + describe(state)));
        }
        state = State.DONE;
        cancelTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Optional<Abort> abort = DicomChannels.abortFor(cause);
        if (abort.isPresent()) {
            decide(new EchoResult.ProtocolError(EchoScu.describe(cause)));
            state = State.DONE;
            DicomChannels.abortAndClose(ctx.channel(), abort.get());
        } else {
            log.debug("echo to {} failed", request.address(), cause);
            fail(ctx, "I/O error: " + EchoScu.describe(cause));
        }
    }

    private void protocolAbort(ChannelHandlerContext ctx, AbortReason reason, String detail) {
        decide(new EchoResult.ProtocolError(detail));
        state = State.DONE;
        DicomChannels.abortAndClose(ctx.channel(), Abort.byProvider(reason));
    }

    private void fail(ChannelHandlerContext ctx, String detail) {
        decide(new EchoResult.ProtocolError(detail));
        finish(ctx);
    }

    private void finish(ChannelHandlerContext ctx) {
        state = State.DONE;
        cancelTimer();
        ctx.close();
    }

    /** Sends a last PDU (an A-RELEASE-RP) and closes once it is written, not before. */
    private void finishAfter(ChannelHandlerContext ctx, Pdu last) {
        state = State.DONE;
        cancelTimer();
        ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private static String describe(State s) {
        return switch (s) {
            case CONNECTING -> "connecting";
            case AWAIT_AC -> "waiting for A-ASSOCIATE-AC";
            case AWAIT_RSP -> "waiting for C-ECHO-RSP";
            case AWAIT_RP -> "waiting for A-RELEASE-RP";
            case DONE -> "closing";
        };
    }
}
