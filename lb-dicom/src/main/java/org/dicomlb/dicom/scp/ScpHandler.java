package org.dicomlb.dicom.scp;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.dimse.CommandAssembler;
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
import org.dicomlb.dicom.pdu.PresentationContextResult;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.dicom.pdu.UserInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptor side of one association of the simulated SCP. All state lives on the channel's
 * event loop; file I/O goes to the {@link InstanceStore} thread and comes back as a task.
 */
final class ScpHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ScpHandler.class);

    /** Pause reading while this many octets wait for the disk; resume below a quarter of it. */
    static final long STORAGE_BACKLOG_LIMIT = 8L * 1024 * 1024;

    private enum State { AWAIT_RQ, ASSOCIATED, CLOSING }

    /** An accepted presentation context. */
    private record Context(String abstractSyntax, String transferSyntax) {
    }

    /** The data set of the C-STORE being received. */
    private static final class Reception {
        final int contextId;
        final DimseCommand command;
        final String transferSyntax;
        final boolean sopClassMatches;
        final DataSetSink sink;
        final CRC32C crc = new CRC32C();
        long length;

        Reception(int contextId, DimseCommand command, String transferSyntax, boolean sopClassMatches,
                DataSetSink sink) {
            this.contextId = contextId;
            this.command = command;
            this.transferSyntax = transferSyntax;
            this.sopClassMatches = sopClassMatches;
            this.sink = sink;
        }
    }

    private final ScpConfig config;
    private final Counters counters;
    private final ScpListener listener;
    private final Optional<InstanceStore> store;
    private final CommandAssembler commands = new CommandAssembler(CommandAssembler.DEFAULT_MAX_COMMAND_LENGTH);
    private final Map<Integer, Context> contexts = new HashMap<>();

    private State state = State.AWAIT_RQ;
    private ScheduledFuture<?> artim;
    private ReadThrottle throttle;
    private long peerMaxLength;
    private String callingAe = "";
    private Optional<AeTitle> callingAeTitle = Optional.empty();
    private Reception reception;
    private int pendingResponses;
    private boolean releaseRequested;

    ScpHandler(ScpConfig config, Counters counters, ScpListener listener, Optional<InstanceStore> store) {
        this.config = config;
        this.counters = counters;
        this.listener = listener;
        this.store = store;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        throttle = new ReadThrottle(ctx.channel(), STORAGE_BACKLOG_LIMIT, STORAGE_BACKLOG_LIMIT / 4);
        artim = ctx.executor().schedule(() -> {
            if (state == State.AWAIT_RQ) {
                // PS3.8 §9.1.5: ARTIM expiry before association closes the connection, no abort.
                log.debug("{} sent no A-ASSOCIATE-RQ within {}", ctx.channel().remoteAddress(),
                        config.associateTimeout());
                counters.protocolErrors.increment();
                state = State.CLOSING;
                ctx.close();
            }
        }, config.associateTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state != State.CLOSING && msg instanceof Pdu pdu) {
                onPdu(ctx, pdu);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onPdu(ChannelHandlerContext ctx, Pdu pdu) {
        switch (pdu) {
            case Abort a -> {
                log.debug("{} aborted: {}", ctx.channel().remoteAddress(), a);
                counters.abortsReceived.increment();
                state = State.CLOSING;
                discardReception();
                ctx.close();
            }
            case AssociateRq rq when state == State.AWAIT_RQ -> onRequest(ctx, rq);
            case PDataTf p when state == State.ASSOCIATED && !releaseRequested -> onData(ctx, p);
            case ReleaseRq _ when state == State.ASSOCIATED && !releaseRequested -> onRelease(ctx);
            default -> protocolAbort(ctx, Abort.byProvider(AbortReason.UNEXPECTED_PDU),
                    pdu.type().standardName() + " is unexpected in state " + state);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, AssociateRq rq) {
        cancelArtim();
        listener.associationRequested(rq, ctx.channel().remoteAddress());
        Optional<AssociateRj> reject = judge(rq);
        if (reject.isPresent()) {
            log.debug("rejecting {} -> {}: {}", rq.callingAe(), rq.calledAe(), reject.get());
            counters.rejections.increment();
            state = State.CLOSING;
            ctx.writeAndFlush(reject.get()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        List<PresentationContextAc> answers = new ArrayList<>();
        for (PresentationContextRq pc : rq.presentationContexts()) {
            PresentationContextAc answer = negotiate(pc);
            if (answer.accepted()) {
                contexts.put(pc.id(), new Context(pc.abstractSyntax(), answer.transferSyntax()));
            }
            answers.add(answer);
        }
        peerMaxLength = rq.userInformation().maxLength();
        callingAe = rq.callingAe().text();
        callingAeTitle = rq.callingAe().asAeTitle();
        state = State.ASSOCIATED;
        counters.associations.increment();
        ctx.writeAndFlush(AssociateAc.answering(rq, answers, UserInformation.dicomlb(config.maxPduLength())));
    }

    private Optional<AssociateRj> judge(AssociateRq rq) {
        if (!rq.supportsVersion1()) {
            return Optional.of(AssociateRj.of(RejectResult.PERMANENT, RejectReason.PROTOCOL_VERSION_NOT_SUPPORTED));
        }
        if (!Uids.APPLICATION_CONTEXT.equals(rq.applicationContext())) {
            return Optional.of(AssociateRj.of(RejectResult.PERMANENT,
                    RejectReason.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED));
        }
        if (config.requireCalledAe() && !rq.calledAe().asAeTitle().equals(Optional.of(config.aeTitle()))) {
            return Optional.of(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));
        }
        if (!config.allowedCallingAes().isEmpty()
                && rq.callingAe().asAeTitle().filter(config.allowedCallingAes()::contains).isEmpty()) {
            return Optional.of(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED));
        }
        return Optional.empty();
    }

    /** Verification and storage SOP classes, uncompressed little endian, in the requestor's order. */
    private static PresentationContextAc negotiate(PresentationContextRq pc) {
        String as = pc.abstractSyntax();
        if (!as.equals(Uids.VERIFICATION) && !as.startsWith(Uids.STORAGE_SOP_CLASS_PREFIX)) {
            return PresentationContextAc.reject(pc.id(), PresentationContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED);
        }
        for (String ts : pc.transferSyntaxes()) {
            if (ts.equals(Uids.IMPLICIT_VR_LITTLE_ENDIAN) || ts.equals(Uids.EXPLICIT_VR_LITTLE_ENDIAN)) {
                return PresentationContextAc.accept(pc.id(), ts);
            }
        }
        return PresentationContextAc.reject(pc.id(), PresentationContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED);
    }

    private void onData(ChannelHandlerContext ctx, PDataTf p) {
        if (config.maxPduLength() != 0 && p.bodyLength() > config.maxPduLength()) {
            protocolAbort(ctx, Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE), "P-DATA-TF of "
                    + p.bodyLength() + " octets exceeds the " + config.maxPduLength() + " we advertised");
            return;
        }
        for (Pdv pdv : p.pdvs()) {
            Context context = contexts.get(pdv.contextId());
            if (context == null) {
                protocolAbort(ctx, Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE),
                        "PDV on presentation context " + pdv.contextId() + ", which was not accepted");
                return;
            }
            try {
                if (pdv.command()) {
                    onCommandFragment(ctx, pdv, context);
                } else {
                    onDataFragment(ctx, pdv);
                }
            } catch (DimseException e) {
                protocolAbort(ctx, Abort.BY_SERVICE_USER, e.getMessage());
            }
            if (state != State.ASSOCIATED) {
                return;
            }
        }
    }

    private void onCommandFragment(ChannelHandlerContext ctx, Pdv pdv, Context context) throws DimseException {
        if (reception != null) {
            throw new DimseException("command fragment while the data set of message "
                    + reception.command.messageId() + " is incomplete");
        }
        Optional<byte[]> whole = commands.add(pdv);
        if (whole.isEmpty()) {
            return;
        }
        DimseCommand command = DimseCodec.decode(whole.get());
        switch (command.commandField()) {
            case C_ECHO_RQ -> {
                if (command.hasDataSet()) {
                    throw new DimseException("C-ECHO-RQ announces a data set");
                }
                counters.echoes.increment();
                send(ctx, pdv.contextId(), DimseCommand.echoRsp(messageId(command), Status.SUCCESS));
            }
            case C_STORE_RQ -> startReception(ctx, pdv.contextId(), context, command);
            default -> throw new DimseException(command.commandField() + " is not supported by this SCP");
        }
    }

    private void startReception(ChannelHandlerContext ctx, int contextId, Context context, DimseCommand command)
            throws DimseException {
        messageId(command);
        String sopClass = command.affectedSopClassUid()
                .orElseThrow(() -> new DimseException("C-STORE-RQ lacks Affected SOP Class UID"));
        String sopInstance = command.affectedSopInstanceUid()
                .orElseThrow(() -> new DimseException("C-STORE-RQ lacks Affected SOP Instance UID"));
        if (!command.hasDataSet()) {
            throw new DimseException("C-STORE-RQ announces no data set");
        }
        boolean matches = sopClass.equals(context.abstractSyntax());
        DataSetSink sink = matches && store.isPresent()
                ? store.get().open(ctx.channel(), throttle, sopClass, sopInstance, context.transferSyntax(),
                        callingAeTitle)
                : DataSetSink.COUNTING;
        reception = new Reception(contextId, command, context.transferSyntax(), matches, sink);
    }

    private void onDataFragment(ChannelHandlerContext ctx, Pdv pdv) throws DimseException {
        Reception r = reception;
        if (r == null || r.contextId != pdv.contextId()) {
            throw new DimseException("data set fragment on context " + pdv.contextId() + " without a C-STORE-RQ");
        }
        byte[] data = pdv.data().array();
        r.crc.update(data);
        r.length += data.length;
        counters.bytes.add(data.length);
        r.sink.write(data);
        if (pdv.last()) {
            reception = null;
            pendingResponses++;
            r.sink.finish(outcome -> onStored(ctx, r, outcome));
        }
    }

    private void onStored(ChannelHandlerContext ctx, Reception r, DataSetSink.Outcome outcome) {
        pendingResponses--;
        int status = r.sopClassMatches ? outcome.status() : Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS;
        (Status.isSuccess(status) ? counters.stores : counters.storeFailures).increment();
        String sopClass = r.command.affectedSopClassUid().orElseThrow();
        String sopInstance = r.command.affectedSopInstanceUid().orElseThrow();
        listener.instanceReceived(new ReceivedInstance(callingAe, sopClass, sopInstance, r.transferSyntax, r.length,
                r.crc.getValue(), outcome.file(), status));
        if (state != State.ASSOCIATED) {
            return;
        }
        send(ctx, r.contextId, DimseCommand.storeRsp(r.command.messageId().orElseThrow(), sopClass, sopInstance,
                status));
        if (releaseRequested && pendingResponses == 0) {
            confirmRelease(ctx);
        }
    }

    private void onRelease(ChannelHandlerContext ctx) {
        if (reception != null) {
            log.debug("{} released in the middle of a data set", ctx.channel().remoteAddress());
            discardReception();
        }
        if (pendingResponses > 0) {
            // Answer the outstanding C-STORE first; the requestor is waiting for both.
            releaseRequested = true;
        } else {
            confirmRelease(ctx);
        }
    }

    private void confirmRelease(ChannelHandlerContext ctx) {
        counters.releases.increment();
        state = State.CLOSING;
        ctx.writeAndFlush(ReleaseRp.INSTANCE).addListener(ChannelFutureListener.CLOSE);
    }

    private void send(ChannelHandlerContext ctx, int contextId, DimseCommand command) {
        for (PDataTf p : PDataTf.fragment(contextId, true, DimseCodec.encode(command), peerMaxLength)) {
            ctx.write(p);
        }
        ctx.flush();
    }

    private static int messageId(DimseCommand command) throws DimseException {
        if (command.messageId().isEmpty()) {
            throw new DimseException(command.commandField() + " lacks Message ID");
        }
        return command.messageId().getAsInt();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && state != State.CLOSING) {
            protocolAbort(ctx, Abort.BY_SERVICE_USER, "idle for " + config.idleTimeout());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSING;
        cancelArtim();
        discardReception();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Optional<Abort> abort = DicomChannels.abortFor(cause);
        if (abort.isPresent()) {
            protocolAbort(ctx, abort.get(), cause.getMessage());
        } else {
            log.debug("closing {} after an I/O error", ctx.channel().remoteAddress(), cause);
            state = State.CLOSING;
            discardReception();
            ctx.close();
        }
    }

    private void protocolAbort(ChannelHandlerContext ctx, Abort abort, String detail) {
        if (state == State.CLOSING) {
            ctx.close();
            return;
        }
        log.info("aborting association with {}: {}", ctx.channel().remoteAddress(), detail);
        counters.protocolErrors.increment();
        state = State.CLOSING;
        cancelArtim();
        discardReception();
        DicomChannels.abortAndClose(ctx.channel(), abort);
    }

    private void discardReception() {
        if (reception != null) {
            reception.sink.discard();
            reception = null;
        }
    }

    private void cancelArtim() {
        if (artim != null) {
            artim.cancel(false);
            artim = null;
        }
    }
}
