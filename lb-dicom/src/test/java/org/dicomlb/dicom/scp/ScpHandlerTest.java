package org.dicomlb.dicom.scp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.WireAeTitle;
import org.dicomlb.dicom.dimse.CommandField;
import org.dicomlb.dicom.dimse.DimseCodec;
import org.dicomlb.dicom.dimse.DimseCommand;
import org.dicomlb.dicom.dimse.Status;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PresentationContextAc;
import org.dicomlb.dicom.pdu.PresentationContextResult;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.junit.jupiter.api.Test;

class ScpHandlerTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String FIND = "1.2.840.10008.5.1.4.1.2.2.1";
    private static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    private static final String EXPLICIT_BIG = "1.2.840.10008.1.2.2";

    private final ScpConfig config = ScpConfig.of(AeTitle.of("SIMSCP"));

    @Test
    void answersEchoAndConfirmsRelease() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        AssociateAc ac = scp.associate(EmbeddedScp.echoRequest());
        assertThat(ac.presentationContext(1)).contains(PresentationContextAc.accept(1, Uids.IMPLICIT_VR_LITTLE_ENDIAN));
        assertThat(ac.userInformation().maxLength()).isEqualTo(ScpConfig.DEFAULT_MAX_PDU_LENGTH);
        assertThat(ac.userInformation().implementationClassUid()).contains(Uids.IMPLEMENTATION_CLASS_UID);

        scp.sendCommand(DimseCommand.echoRq(5));
        DimseCommand rsp = command(scp.read());
        assertThat(rsp.commandField()).isEqualTo(CommandField.C_ECHO_RSP);
        assertThat(rsp.messageIdBeingRespondedTo()).hasValue(5);
        assertThat(rsp.status()).hasValue(Status.SUCCESS);

        scp.send(ReleaseRq.INSTANCE);
        scp.assertSentOnlyAndClosed(ReleaseRp.INSTANCE);
        assertThat(scp.counters.snapshot()).isEqualTo(new ScpStats(1, 0, 1, 0, 0, 0, 1, 0, 0));
    }

    @Test
    void echoesTheRequestAeFieldsUnchangedInTheAccept() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        AssociateRq rq = EmbeddedScp.echoRequest();
        AssociateAc ac = scp.associate(rq);
        assertThat(ac.calledAe()).isEqualTo(rq.calledAe());
        assertThat(ac.callingAe()).isEqualTo(rq.callingAe());
        assertThat(scp.requests).containsExactly(rq);
    }

    @Test
    void negotiatesEachContextOnItsOwn() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        AssociateAc ac = scp.associate(EmbeddedScp.request("SIMSCP", "CT01",
                PresentationContextRq.of(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN),
                PresentationContextRq.of(3, CT, EXPLICIT_BIG, Uids.EXPLICIT_VR_LITTLE_ENDIAN,
                        Uids.IMPLICIT_VR_LITTLE_ENDIAN),
                PresentationContextRq.of(5, FIND, Uids.IMPLICIT_VR_LITTLE_ENDIAN),
                PresentationContextRq.of(7, CT, JPEG_BASELINE)));
        assertThat(ac.presentationContexts()).containsExactly(
                PresentationContextAc.accept(1, Uids.IMPLICIT_VR_LITTLE_ENDIAN),
                PresentationContextAc.accept(3, Uids.EXPLICIT_VR_LITTLE_ENDIAN),
                PresentationContextAc.reject(5, PresentationContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED),
                PresentationContextAc.reject(7, PresentationContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED));
    }

    @Test
    void rejectsAnotherCalledAeWhenAskedTo() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config.withRequireCalledAe(true));
        scp.send(EmbeddedScp.request("OTHER", "CT01",
                PresentationContextRq.of(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN)));
        scp.assertSentOnlyAndClosed(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));
        assertThat(scp.counters.snapshot().rejections()).isOne();

        EmbeddedScp ours = new EmbeddedScp(config.withRequireCalledAe(true));
        assertThat(ours.associate(EmbeddedScp.echoRequest())).isNotNull();
    }

    @Test
    void rejectsCallingAesOutsideTheAllowList() throws Exception {
        ScpConfig allowList = config.withAllowedCallingAes(Set.of(AeTitle.of("CT01")));
        EmbeddedScp scp = new EmbeddedScp(allowList);
        scp.send(EmbeddedScp.echoRequest());
        scp.assertSentOnlyAndClosed(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED));

        // An all-space calling AE is no title at all, so it is never on the list.
        EmbeddedScp blank = new EmbeddedScp(allowList);
        AssociateRq rq = EmbeddedScp.echoRequest();
        blank.send(new AssociateRq(1, rq.calledAe(), WireAeTitle.fromWire("                ".getBytes()),
                Uids.APPLICATION_CONTEXT, rq.presentationContexts(), rq.userInformation()));
        blank.assertSentOnlyAndClosed(AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED));

        EmbeddedScp allowed = new EmbeddedScp(allowList);
        assertThat(allowed.associate(EmbeddedScp.request("SIMSCP", "CT01",
                PresentationContextRq.of(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN)))).isNotNull();
    }

    @Test
    void rejectsUnsupportedProtocolVersionAndApplicationContext() throws Exception {
        AssociateRq rq = EmbeddedScp.echoRequest();
        EmbeddedScp v2 = new EmbeddedScp(config);
        v2.send(new AssociateRq(2, rq.calledAe(), rq.callingAe(), rq.applicationContext(), rq.presentationContexts(),
                rq.userInformation()));
        v2.assertSentOnlyAndClosed(AssociateRj.of(RejectResult.PERMANENT, RejectReason.PROTOCOL_VERSION_NOT_SUPPORTED));

        EmbeddedScp otherContext = new EmbeddedScp(config);
        otherContext.send(new AssociateRq(1, rq.calledAe(), rq.callingAe(), "1.2.3.4", rq.presentationContexts(),
                rq.userInformation()));
        otherContext.assertSentOnlyAndClosed(
                AssociateRj.of(RejectResult.PERMANENT, RejectReason.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED));
    }

    @Test
    void receivesAFragmentedStoreAndAnswersIt() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        scp.associate(EmbeddedScp.request("SIMSCP", "CT01",
                PresentationContextRq.of(1, CT, Uids.EXPLICIT_VR_LITTLE_ENDIAN)));
        byte[] dataSet = new byte[40_000];
        new java.util.Random(1).nextBytes(dataSet);
        scp.sendCommand(DimseCommand.storeRq(3, CT, "1.2.3.99", 0));
        for (PDataTf p : PDataTf.fragment(1, false, dataSet, 16_384)) {
            assertThat(scp.read()).as("no answer before the last fragment").isNull();
            scp.send(p);
        }
        DimseCommand rsp = command(scp.read());
        assertThat(rsp).isEqualTo(DimseCommand.storeRsp(3, CT, "1.2.3.99", Status.SUCCESS));

        CRC32C crc = new CRC32C();
        crc.update(dataSet);
        assertThat(scp.instances).singleElement().satisfies(i -> {
            assertThat(i.callingAe()).isEqualTo("CT01");
            assertThat(i.sopInstanceUid()).isEqualTo("1.2.3.99");
            assertThat(i.transferSyntax()).isEqualTo(Uids.EXPLICIT_VR_LITTLE_ENDIAN);
            assertThat(i.length()).isEqualTo(dataSet.length);
            assertThat(i.crc32c()).isEqualTo(crc.getValue());
            assertThat(i.file()).isEmpty();
        });
        assertThat(scp.counters.snapshot().bytes()).isEqualTo(dataSet.length);
        assertThat(scp.counters.snapshot().stores()).isOne();
    }

    @Test
    void aStoreForAnotherSopClassThanItsContextFails() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        scp.associateStorage(CT);
        String mr = "1.2.840.10008.5.1.4.1.1.4";
        scp.send(PDataTf.of(
                PDataTf.fragment(1, true, DimseCodec.encode(DimseCommand.storeRq(1, mr, "1.2.3", 0)), 0)
                        .getFirst().pdvs().getFirst(),
                PDataTf.fragment(1, false, new byte[10], 0).getFirst().pdvs().getFirst()));
        assertThat(command(scp.read()).status()).hasValue(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS);
        assertThat(scp.counters.snapshot().storeFailures()).isOne();
    }

    @Test
    void anAbortFromThePeerEndsTheAssociation() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        scp.associateStorage(CT);
        scp.sendCommand(DimseCommand.storeRq(1, CT, "1.2.3", 0));
        scp.send(PDataTf.of(new org.dicomlb.dicom.pdu.Pdv(1, false, false,
                new org.dicomlb.dicom.pdu.Bytes(new byte[100]))));
        scp.send(Abort.BY_SERVICE_USER);
        assertThat(scp.read()).isNull();
        assertThat(scp.channel.isOpen()).isFalse();
        assertThat(scp.counters.snapshot().abortsReceived()).isOne();
        assertThat(scp.instances).isEmpty();
    }

    @Test
    void answersPendingStoresBeforeConfirmingRelease() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        scp.associateStorage(CT);
        List<Pdu> sent = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            scp.sendCommand(DimseCommand.storeRq(id, CT, "1.2.3." + id, 0));
            scp.send(PDataTf.fragment(1, false, new byte[id * 7], 0).getFirst());
        }
        scp.send(ReleaseRq.INSTANCE);
        for (Pdu p; (p = scp.read()) != null; ) {
            sent.add(p);
        }
        assertThat(sent).hasSize(4);
        assertThat(sent.subList(0, 3)).allSatisfy(p -> assertThat(command(p).status()).hasValue(Status.SUCCESS));
        assertThat(sent.get(3)).isEqualTo(ReleaseRp.INSTANCE);
        assertThat(scp.instances.stream().map(ReceivedInstance::length)).containsExactly(7L, 14L, 21L);
    }

    static DimseCommand command(Pdu pdu) {
        PDataTf p = (PDataTf) pdu;
        byte[] all = p.pdvs().stream().map(v -> v.data().array()).reduce(new byte[0], (a, b) -> {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        });
        try {
            return DimseCodec.decode(all);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
