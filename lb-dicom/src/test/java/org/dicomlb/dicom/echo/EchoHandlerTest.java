package org.dicomlb.dicom.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Hex;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.dimse.DimseCodec;
import org.dicomlb.dicom.dimse.DimseCommand;
import org.dicomlb.dicom.dimse.Status;
import org.dicomlb.dicom.netty.DicomChannels;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.AbortSource;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.Bytes;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.Pdv;
import org.dicomlb.dicom.pdu.PresentationContextAc;
import org.dicomlb.dicom.pdu.PresentationContextResult;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.RejectSource;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.dicom.pdu.UserInformation;
import org.junit.jupiter.api.Test;

/** The requestor state machine, byte for byte, with a scripted peer and a controllable clock. */
class EchoHandlerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** The 80-octet C-ECHO-RQ P-DATA-TF of dicom-ul.md. */
    private static final byte[] ECHO_RQ_PDATA = Hex.bytes(
            "04 00 0000004A 00000046 01 03",
            "0000 0000 04000000 38000000",
            "0000 0200 12000000", Hex.ascii("1.2.840.10008.1.1"), "00",
            "0000 0001 02000000 3000", "0000 1001 02000000 0100", "0000 0008 02000000 0101");

    private final EchoHandler handler = new EchoHandler(new EchoRequest(AeTitle.of("DICOMLB"), AeTitle.of("ARCHIVE"),
            new InetSocketAddress("127.0.0.1", 11112), TIMEOUT), System.nanoTime());
    private final EmbeddedChannel peer = newChannel(handler);

    private static EmbeddedChannel newChannel(EchoHandler handler) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        DicomChannels.addPduCodec(ch.pipeline(), EchoScu.MAX_RECEIVE_PDU);
        ch.pipeline().addLast(handler);
        // EmbeddedChannel was active before the handler arrived; replay what a real connect fires.
        ch.pipeline().fireChannelActive();
        return ch;
    }

    @Test
    void proposesVerificationSendsTheEightyOctetRequestAndReleases() throws Exception {
        AssociateRq rq = (AssociateRq) readPdu();
        assertThat(rq.calledAe().asAeTitle()).contains(AeTitle.of("ARCHIVE"));
        assertThat(rq.callingAe().asAeTitle()).contains(AeTitle.of("DICOMLB"));
        assertThat(rq.presentationContexts()).singleElement().satisfies(pc -> {
            assertThat(pc.id()).isEqualTo(1);
            assertThat(pc.abstractSyntax()).isEqualTo(Uids.VERIFICATION);
            assertThat(pc.transferSyntaxes()).containsExactly(Uids.IMPLICIT_VR_LITTLE_ENDIAN);
        });
        assertThat(rq.userInformation().maxLength()).isEqualTo(EchoScu.ADVERTISED_MAX_LENGTH);

        accept(rq, 16_384);
        assertThat(readBytes()).isEqualTo(ECHO_RQ_PDATA);

        // The response arrives split over two PDUs and three PDVs.
        byte[] rsp = DimseCodec.encode(DimseCommand.echoRsp(1, Status.SUCCESS));
        send(PDataTf.of(fragment(rsp, 0, 10, false), fragment(rsp, 10, 40, false)));
        assertThat(peer.<Object>readOutbound()).isNull();
        send(PDataTf.of(fragment(rsp, 40, rsp.length, true)));

        assertThat(readPdu()).isEqualTo(ReleaseRq.INSTANCE);
        assertThat(peer.isOpen()).isTrue();
        send(ReleaseRp.INSTANCE);
        assertThat(peer.isOpen()).isFalse();
        assertThat(handler.outcome()).isInstanceOfSatisfying(EchoResult.Success.class,
                s -> assertThat(s.status()).isZero());
    }

    @Test
    void honoursASmallPeerMaxLength() throws Exception {
        accept((AssociateRq) readPdu(), 30);
        List<Pdv> pdvs = new ArrayList<>();
        for (Object o; (o = peer.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            PDataTf p = (PDataTf) PduCodec.decode(b);
            b.release();
            assertThat(p.bodyLength()).isLessThanOrEqualTo(30);
            pdvs.addAll(p.pdvs());
        }
        assertThat(pdvs).hasSize(3);
        assertThat(pdvs.stream().map(Pdv::last).toList()).containsExactly(false, false, true);
        byte[] joined = pdvs.stream().map(p -> p.data().array())
                .reduce(new byte[0], (a, b) -> Hex.bytes(a, b));
        assertThat(joined).isEqualTo(Arrays.copyOfRange(ECHO_RQ_PDATA, 12, 80));
    }

    @Test
    void failureStatusIsFailed() throws Exception {
        accept((AssociateRq) readPdu(), 16_384);
        readBytes();
        send(PDataTf.fragment(1, true, DimseCodec.encode(DimseCommand.echoRsp(1, Status.SOP_CLASS_NOT_SUPPORTED)),
                0).getFirst());
        assertThat(readPdu()).isEqualTo(ReleaseRq.INSTANCE);
        send(ReleaseRp.INSTANCE);
        assertThat(handler.outcome()).isEqualTo(new EchoResult.Failed(Status.SOP_CLASS_NOT_SUPPORTED));
    }

    @Test
    void rejectIsReportedWithNamedCodes() throws Exception {
        readPdu();
        send(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));
        assertThat(peer.isOpen()).isFalse();
        assertThat(handler.outcome()).isEqualTo(new EchoResult.Rejected(RejectResult.PERMANENT,
                RejectSource.SERVICE_USER, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));
    }

    @Test
    void abortIsReported() throws Exception {
        readPdu();
        send(Abort.byProvider(AbortReason.UNEXPECTED_PDU));
        assertThat(peer.isOpen()).isFalse();
        assertThat(handler.outcome()).isEqualTo(new EchoResult.Aborted(AbortSource.SERVICE_PROVIDER,
                AbortReason.UNEXPECTED_PDU));
    }

    @Test
    void rejectedVerificationContextIsReportedAndTheAssociationReleased() throws Exception {
        AssociateRq rq = (AssociateRq) readPdu();
        send(AssociateAc.answering(rq, List.of(PresentationContextAc.reject(1,
                PresentationContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED)), UserInformation.dicomlb(16_384)));
        assertThat(readPdu()).isEqualTo(ReleaseRq.INSTANCE);
        send(ReleaseRp.INSTANCE);
        assertThat(handler.outcome()).isEqualTo(
                new EchoResult.VerificationNotAccepted(PresentationContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED));
    }

    @Test
    void silenceAfterTheRequestTimesOutInTheAssociatePhaseAndAborts() throws Exception {
        readPdu();
        peer.advanceTimeBy(TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
        peer.runScheduledPendingTasks();
        assertThat(handler.outcome()).isEqualTo(new EchoResult.Timeout(EchoResult.Phase.ASSOCIATE));
        assertThat(readPdu()).isEqualTo(Abort.BY_SERVICE_USER);
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void silenceAfterTheEchoTimesOutInTheEchoPhase() throws Exception {
        accept((AssociateRq) readPdu(), 16_384);
        readBytes();
        peer.advanceTimeBy(TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
        peer.runScheduledPendingTasks();
        assertThat(handler.outcome()).isEqualTo(new EchoResult.Timeout(EchoResult.Phase.ECHO));
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void aPeerThatNeverConfirmsReleaseCannotHoldTheResultBack() throws Exception {
        accept((AssociateRq) readPdu(), 16_384);
        readBytes();
        send(PDataTf.fragment(1, true, DimseCodec.encode(DimseCommand.echoRsp(1, Status.SUCCESS)), 0).getFirst());
        assertThat(readPdu()).isEqualTo(ReleaseRq.INSTANCE);
        peer.advanceTimeBy(EchoHandler.MAX_RELEASE_WAIT.toMillis() + 1, TimeUnit.MILLISECONDS);
        peer.runScheduledPendingTasks();
        assertThat(peer.isOpen()).isFalse();
        assertThat(handler.outcome()).isInstanceOf(EchoResult.Success.class);
    }

    @Test
    void garbageIsAProtocolErrorAnsweredWithAnAbort() throws Exception {
        readPdu();
        peer.writeInbound(Unpooled.wrappedBuffer(Hex.bytes("48 54 54 50 2F 31")));
        assertThat(readPdu()).isEqualTo(Abort.byProvider(AbortReason.UNRECOGNIZED_PDU));
        assertThat(peer.isOpen()).isFalse();
        assertThat(handler.outcome()).isInstanceOf(EchoResult.ProtocolError.class);
    }

    @Test
    void aResponseToAnotherMessageIsAProtocolError() throws Exception {
        accept((AssociateRq) readPdu(), 16_384);
        readBytes();
        send(PDataTf.fragment(1, true, DimseCodec.encode(DimseCommand.echoRsp(9, Status.SUCCESS)), 0).getFirst());
        assertThat(handler.outcome()).isInstanceOfSatisfying(EchoResult.ProtocolError.class,
                e -> assertThat(e.detail()).contains("answers message"));
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void aPeerClosingMidAssociationIsAProtocolError() throws Exception {
        readPdu();
        peer.close();
        assertThat(handler.outcome()).isInstanceOfSatisfying(EchoResult.ProtocolError.class,
                e -> assertThat(e.detail()).contains("A-ASSOCIATE-AC"));
    }

    @Test
    void anUnexpectedPduIsAnsweredWithAnAbort() throws Exception {
        readPdu();
        send(ReleaseRp.INSTANCE);
        assertThat(readPdu()).isEqualTo(Abort.byProvider(AbortReason.UNEXPECTED_PDU));
        assertThat(handler.outcome()).isInstanceOf(EchoResult.ProtocolError.class);
    }

    private void accept(AssociateRq rq, long maxLength) {
        send(AssociateAc.answering(rq, List.of(PresentationContextAc.accept(1, Uids.IMPLICIT_VR_LITTLE_ENDIAN)),
                UserInformation.dicomlb(maxLength)));
    }

    private static Pdv fragment(byte[] message, int from, int to, boolean last) {
        return new Pdv(1, true, last, new Bytes(Arrays.copyOfRange(message, from, to)));
    }

    private void send(Pdu pdu) {
        peer.writeInbound(Unpooled.wrappedBuffer(PduCodec.encodeToArray(pdu)));
    }

    private byte[] readBytes() {
        ByteBuf b = peer.readOutbound();
        assertThat(b).as("an outbound PDU").isNotNull();
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private Pdu readPdu() throws Exception {
        return PduCodec.decode(readBytes());
    }
}
