package org.dicomlb.engine.dicom;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.dicomlb.dicom.netty.DicomChannels;
import org.dicomlb.dicom.netty.PduFrameDecoder;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduDecodeException;
import org.dicomlb.dicom.pdu.PduType;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.DicomMode;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.dial.Dialer;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.OperatorClose;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.OperatorHooks;
import org.dicomlb.engine.relay.ProxyConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a {@code mode: dicom} connection, acting as the association acceptor
 * towards the client until a backend has answered (PS3.8 §9.2 states Sta2/Sta3):
 *
 * <ol>
 *   <li>At accept the ARTIM timer starts ({@code timeouts.associate}); on expiry the connection
 *       closes. A connection still parked at the listener's {@code max-connections} then gets
 *       A-ASSOCIATE-RJ transient / local-limit-exceeded instead, since it is waiting for an
 *       answer to a request it has sent.</li>
 *   <li>Exactly one PDU is read, bounded by {@code max-associate-rq}. Anything but a valid
 *       A-ASSOCIATE-RQ gets an A-ABORT (service provider, the PS3.8 reason) and a close; an
 *       A-ABORT just closes.</li>
 *   <li>{@link Admission} checks the calling AE and picks a pool; a refusal is answered with
 *       A-ASSOCIATE-RJ from here.</li>
 *   <li>The {@link Dialer} finds a backend, with {@link DicomHandshake} forwarding the request
 *       and reading each backend's answer; a transient reject or a silent backend sends the
 *       request on to the next one. When no backend can take it the client gets
 *       A-ASSOCIATE-RJ transient / temporary congestion, never a bare reset.</li>
 *   <li>The final answer comes back here ({@link #connected}): after an A-ASSOCIATE-AC both
 *       channels relay bytes (optionally with a {@link PduTracker} on each side); a permanent
 *       A-ASSOCIATE-RJ is passed to the client and the connection closes.</li>
 * </ol>
 *
 * <p>The client is not read while a backend is being found: it must wait for the AC anyway. A
 * FIN it sends right behind its request is passed to the backend after the AC (a requestor may
 * half-close), never lost.
 *
 * <p>An operator may end the association ({@link #endByOperator}): the client gets an A-ABORT
 * (service provider, reason not specified) and the connection closes. Once relaying, the abort
 * goes in at the end of the PDU the backend is sending, which the {@link PduTracker}s know; the
 * backend gets one too when the client's stream is between PDUs, else just the close.
 */
final class DicomFrontend extends ChannelInboundHandlerAdapter implements Dialer.Outcome<AssociationAnswer>, OperatorHooks {
    private static final Logger LOG = LoggerFactory.getLogger(DicomFrontend.class);
    private static final String FRAME_DECODER = "associate-rq-frame";
    /** How long an operator's abort waits for the backend's PDU in progress to end before closing without. */
    static final long ABORT_WAIT_MILLIS = 2000;
    private static final Abort OPERATOR_ABORT = Abort.byProvider(AbortReason.NOT_SPECIFIED);

    private enum State {
        /** Accepted, waiting for the listener's admission; nothing read. */
        PARKED,
        /** Reading the A-ASSOCIATE-RQ. */
        READING,
        /** The RQ is in; routing, dialing, waiting for a backend's answer. */
        NEGOTIATING,
        /** Relaying, or refused/aborted and closing. */
        DONE
    }

    private final ListenerContext listener;
    private final DicomMetrics metrics;
    private ListenerConfig config;
    private DicomMode dicom;
    private ChannelHandlerContext ctx;
    private ProxyConnection connection;
    private AssociationRecord association;
    /** The pool the association was routed to, once routed (for its meters). */
    private Pool pool;
    private int rqLength;
    private ScheduledFuture<?> artim;
    private State state = State.PARKED;
    /** First octet of whatever the client sent after its RQ, or -1. */
    private int earlyOctet = -1;
    /** An operator ended the association while a backend was being found: whatever it answers is dropped. */
    private boolean endedByOperator;
    /** With observe-pdus, once relaying: the trackers of each direction. */
    private PduTracker fromClientTracker;
    private PduTracker fromBackendTracker;

    DicomFrontend(ListenerContext listener, DicomMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // One configuration for the whole association, even if a reload lands meanwhile.
        this.config = listener.config();
        this.dicom = (DicomMode) config.mode();
        connection = listener.open(ctx.channel());
        association = new AssociationRecord(connection.record());
        connection.onFinish(this::finish);
        connection.protocol(this);
        artim = ctx.executor().schedule(this::artimExpired, config.timeouts().associate().toMillis(),
                TimeUnit.MILLISECONDS);
        if (connection.refusal() != null) {
            // Over its source's limits: read the request, answer RJ transient, never take a slot.
            startReading();
        } else {
            listener.admit(connection, this::startReading);
        }
        ctx.fireChannelActive();
    }

    private void startReading() {
        if (state != State.PARKED) {
            return;
        }
        state = State.READING;
        int bound = dicom.maxAssociateRq() - PduCodec.HEADER_LENGTH;
        ctx.pipeline().addBefore(ctx.name(), FRAME_DECODER, new PduFrameDecoder(bound));
        // AUTO_READ is off; the frame decoder keeps asking for more until a whole PDU is in.
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.READING && msg instanceof ByteBuf frame) {
            state = State.NEGOTIATING;
            artim.cancel(false);
            byte[] pdu = new byte[frame.readableBytes()];
            frame.readBytes(pdu);
            frame.release();
            // Bytes the client sent beyond its first PDU come back into channelRead from here.
            ctx.pipeline().remove(FRAME_DECODER);
            firstPdu(pdu);
            return;
        }
        if (msg instanceof ByteBuf b && b.isReadable() && earlyOctet < 0) {
            earlyOctet = b.getUnsignedByte(b.readerIndex());
        }
        ReferenceCountUtil.release(msg);
    }

    private void firstPdu(byte[] bytes) {
        Pdu pdu;
        try {
            pdu = PduCodec.decode(bytes);
        } catch (PduDecodeException e) {
            abort(e.abortReason());
            return;
        }
        if (pdu instanceof Abort a) {
            clientAborted(a);
            return;
        }
        if (!(pdu instanceof AssociateRq rq)) {
            abort(AbortReason.UNEXPECTED_PDU);
            return;
        }
        association.request(rq);
        if (earlyOctet >= 0) {
            // A requestor must wait for the AC (PS3.8 Sta5); only an A-ABORT may come first.
            if (earlyOctet == PduType.A_ABORT.code()) {
                clientAborted(null);
            } else {
                abort(AbortReason.UNEXPECTED_PDU);
            }
            return;
        }
        if (connection.refusal() != null) {
            // PS3.8 local-limit-exceeded: the limit is dicomlb's, and the modality may retry later.
            reject(AssociateRj.of(RejectResult.TRANSIENT, RejectReason.LOCAL_LIMIT_EXCEEDED), connection.refusal());
            return;
        }
        switch (Admission.decide(config, rq, connection.record().client().getAddress(), connection.peer())) {
            case Admission.Refuse r -> {
                r.why().ifPresent(why -> LOG.warn("listener '{}': association from {} rejected (1/1/3, calling AE not"
                        + " recognized): {}", config.name(), connection.record().client(), why));
                reject(r.reject(), EndReason.PROTOCOL);
            }
            case Admission.Route r -> dial(r, bytes);
        }
    }

    private void dial(Admission.Route route, byte[] rqBytes) {
        association.route(route.label());
        connection.record().pool(route.pool());
        pool = listener.pool(route.pool());
        if (pool == null) {
            congested(EndReason.NO_BACKEND);
            return;
        }
        rqLength = rqBytes.length;
        Dialer.dial(connection, pool, new DicomHandshake(rqBytes, dicom.maxAssociateRq(), config.timeouts().associate()), this);
    }

    @Override
    public void failed(EndReason reason) {
        if (endedByOperator) {
            connection.close(EndReason.ADMIN_CLOSE);
            return;
        }
        if (reason == EndReason.CLIENT_ABORTED) {
            association.decided(Outcome.CLOSED);
            connection.fail(reason);
        } else if (reason == EndReason.LOCAL_RESOURCES) {
            reject(AssociateRj.of(RejectResult.TRANSIENT, RejectReason.LOCAL_LIMIT_EXCEEDED), reason);
        } else {
            congested(reason);
        }
    }

    private void congested(EndReason reason) {
        reject(AssociateRj.of(RejectResult.TRANSIENT, RejectReason.TEMPORARY_CONGESTION), reason);
    }

    /** Answers with {@code rj} from dicomlb itself and closes. */
    private void reject(AssociateRj rj, EndReason reason) {
        state = State.DONE;
        association.rejected(rj, AssociationRecord.BY_DICOMLB);
        metrics.rejected(listener.meters(), AssociationRecord.BY_DICOMLB, rj);
        ctx.writeAndFlush(PduCodec.encode(rj, ctx.alloc()));
        connection.fail(reason);
    }

    private void abort(AbortReason reason) {
        state = State.DONE;
        Abort a = Abort.byProvider(reason);
        association.aborted(a, AssociationRecord.BY_DICOMLB);
        ctx.writeAndFlush(PduCodec.encode(a, ctx.alloc()));
        connection.fail(EndReason.PROTOCOL);
    }

    /**
     * The client gave up with an A-ABORT before the association was established: just close
     * (PS3.8 AA-2/AA-3). {@code a} is null when the abort came behind the RQ and was not decoded.
     */
    private void clientAborted(Abort a) {
        state = State.DONE;
        association.aborted(a, AssociationRecord.BY_CLIENT);
        connection.fail(EndReason.CLIENT_ABORTED);
    }

    private void artimExpired() {
        if (state == State.PARKED) {
            reject(AssociateRj.of(RejectResult.TRANSIENT, RejectReason.LOCAL_LIMIT_EXCEEDED), EndReason.MAX_CONNECTIONS);
        } else if (state == State.READING) {
            state = State.DONE;
            association.decided(Outcome.TIMEOUT);
            connection.fail(EndReason.PROTOCOL);
        }
    }

    /** A backend gave its final answer; the backend channel and slot are the connection's now. */
    @Override
    public void connected(Channel backend, Endpoint e, AssociationAnswer answer) {
        state = State.DONE;
        if (endedByOperator) {
            switch (answer) {
                case AssociationAnswer.Accepted ac -> ac.toClient().forEach(ReferenceCountUtil::release);
                case AssociationAnswer.Rejected rj -> rj.rjBytes().release();
            }
            connection.close(EndReason.ADMIN_CLOSE);
            return;
        }
        answer.rewrite().ifPresent(association::calledAeSent);
        switch (answer) {
            case AssociationAnswer.Accepted ac -> accepted(backend, ac);
            case AssociationAnswer.Rejected rj -> rejectedByBackend(rj);
        }
    }

    /** Passes the AC (and anything the backend sent after it) to the client, then relays. */
    private void accepted(Channel backend, AssociationAnswer.Accepted answer) {
        List<ByteBuf> toClient = answer.toClient();
        ctx.pipeline().remove(this);
        Channel client = ctx.channel();
        if (!client.isActive()) {
            // The client left while a backend was being found; the connection has closed the backend.
            association.decided(Outcome.CLOSED);
            toClient.forEach(ReferenceCountUtil::release);
            return;
        }
        association.accepted(answer.contextsAccepted());
        connection.relayed(true, rqLength);
        // The backend's tracker starts after the AC: what the backend sent behind it in the same
        // read (a P-DATA, an A-ABORT) is already in toClient and is followed here.
        PduTracker fromBackend = null;
        if (dicom.observePdus()) {
            association.observing();
            fromBackend = new PduTracker(association, false);
        }
        for (int i = 0; i < toClient.size(); i++) {
            ByteBuf b = toClient.get(i);
            if (i > 0 && fromBackend != null) {
                fromBackend.follow(b);
            }
            connection.relayed(false, b.readableBytes());
            client.write(b);
        }
        client.flush();
        if (!backend.isActive()) {
            // The backend left right behind its answer: the client gets what it sent, then a close.
            connection.close(EndReason.BACKEND_CLOSE);
            return;
        }
        if (fromBackend != null) {
            fromClientTracker = new PduTracker(association, true);
            fromBackendTracker = fromBackend;
            client.pipeline().addLast("pdu-tracker", fromClientTracker);
            backend.pipeline().addLast("pdu-tracker", fromBackend);
        }
        connection.startRelay();
    }

    /** A backend refused for good: the client gets its RJ as is; not a backend failure. */
    private void rejectedByBackend(AssociationAnswer.Rejected answer) {
        association.rejected(answer.rj(), AssociationRecord.BY_BACKEND);
        metrics.rejected(listener.meters(), AssociationRecord.BY_BACKEND, answer.rj());
        connection.relayed(true, rqLength);
        connection.relayed(false, answer.rjBytes().readableBytes());
        ctx.writeAndFlush(answer.rjBytes());
        connection.close(EndReason.BACKEND_CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.PARKED || state == State.READING) {
            state = State.DONE;
            artim.cancel(false);
            connection.record().end(EndReason.CLIENT_ABORTED);
        }
        // While negotiating, the dialer and the handshake notice the client is gone.
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // Half-closure is allowed on relay channels: a client's FIN arrives as this event.
        if (evt instanceof ChannelInputShutdownEvent) {
            if (state == State.PARKED || state == State.READING) {
                state = State.DONE;
                artim.cancel(false);
                association.decided(Outcome.CLOSED);
                connection.fail(EndReason.CLIENT_ABORTED);
            } else if (state == State.NEGOTIATING) {
                // The request is in and the client is done sending: the FIN follows the AC.
                connection.clientEndedEarly();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Optional<Abort> protocolError = DicomChannels.abortFor(cause);
        if (state == State.READING && protocolError.isPresent()) {
            artim.cancel(false);
            abort(protocolError.get().reason());
            return;
        }
        connection.record().end(EndReason.CLIENT_ERROR);
        ctx.close();
    }

    @Override
    public LiveConnection.Association association() {
        return association.live();
    }

    @Override
    public void endByOperator(LiveConnection before, Consumer<OperatorClose> done) {
        switch (state) {
            case PARKED, READING, NEGOTIATING -> {
                // Nothing has gone to the client yet, so an A-ABORT is where a PDU may start.
                artim.cancel(false);
                endedByOperator = state == State.NEGOTIATING;
                state = State.DONE;
                association.aborted(OPERATOR_ABORT, AssociationRecord.BY_DICOMLB);
                Channel client = connection.client();
                client.writeAndFlush(PduCodec.encode(OPERATOR_ABORT, client.alloc()));
                connection.close(EndReason.ADMIN_CLOSE);
                done.accept(new OperatorClose(before, true,
                        "A-ABORT (service provider, not specified) sent to the client before the association was accepted"));
            }
            case DONE -> {
                if (connection.relaying()) {
                    abortRelayed(before, done);
                } else {
                    connection.close(EndReason.ADMIN_CLOSE);
                    done.accept(new OperatorClose(before, false, "connection closed (it was already being refused or closed)"));
                }
            }
        }
    }

    /** Ends a relayed association: an A-ABORT to the client at the end of the backend's PDU in progress, then a close. */
    private void abortRelayed(LiveConnection before, Consumer<OperatorClose> done) {
        PduTracker toClient = fromBackendTracker;
        if (toClient == null) {
            connection.close(EndReason.ADMIN_CLOSE);
            done.accept(new OperatorClose(before, false,
                    "connection closed without A-ABORT: with observe-pdus off dicomlb cannot tell where a PDU ends"));
            return;
        }
        Channel client = connection.client();
        ScheduledFuture<?> giveUp = client.eventLoop().schedule(() -> {
            if (toClient.cancelWait()) {
                connection.close(EndReason.ADMIN_CLOSE);
                done.accept(new OperatorClose(before, false, "connection closed without A-ABORT: the backend's PDU in"
                        + " progress did not end within " + ABORT_WAIT_MILLIS + " ms"));
            }
        }, ABORT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        toClient.whenAtBoundary(atBoundary -> {
            giveUp.cancel(false);
            if (!atBoundary) {
                connection.close(EndReason.ADMIN_CLOSE);
                done.accept(new OperatorClose(before, false,
                        "connection closed without A-ABORT: the backend's bytes stopped looking like PDUs"));
                return;
            }
            association.abortedByDicomlb(OPERATOR_ABORT);
            client.writeAndFlush(PduCodec.encode(OPERATOR_ABORT, client.alloc()));
            Channel backend = connection.backend();
            boolean backendToo = fromClientTracker != null && fromClientTracker.atBoundary() && backend != null
                    && backend.isActive();
            if (backendToo) {
                backend.writeAndFlush(PduCodec.encode(OPERATOR_ABORT, backend.alloc()));
            }
            connection.close(EndReason.ADMIN_CLOSE);
            done.accept(new OperatorClose(before, true, "A-ABORT (service provider, not specified) sent to the client"
                    + (backendToo ? " and the backend" : "; the backend, in the middle of a PDU, was disconnected")));
        });
    }

    private void finish() {
        artim.cancel(false);
        association.finish();
        var record = connection.record();
        metrics.associationEnded(listener.meters(), record.pool(), pool,
                record.endpoint() == null ? null : record.endpoint().backend(), association.outcome(), record.durationNanos());
    }
}
