package org.dicomlb.dicom.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomlb.dicom.Hex.bytes;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.Bytes;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.Pdv;
import org.dicomlb.dicom.pdu.PresentationContextAc;
import org.dicomlb.dicom.pdu.UserInformation;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken input through the whole acceptor pipeline (frame decoder, PDU codec, SCP
 * handler): each case must end in the A-ABORT PS3.8 asks for (or a plain close where it asks
 * for none), with every buffer released and nothing escaping the pipeline.
 */
class ScpMalformedInputTest {
    private final ScpConfig config = ScpConfig.of(AeTitle.of("SIMSCP"));

    @Test
    void garbageIsAnUnrecognizedPdu() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        ByteBuf in = scp.write("GET / HTTP/1.1\r\nHost: pacs\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        scp.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.UNRECOGNIZED_PDU));
        assertThat(in.refCnt()).isZero();
        assertThat(scp.counters.snapshot().protocolErrors()).isOne();
    }

    @Test
    void anItemOverrunningItsPduIsAnInvalidParameter() throws Exception {
        byte[] rq = PduCodec.encodeToArray(EmbeddedScp.echoRequest());
        rq[74 + 3] = (byte) 0xF0; // the application context item claims 240 octets
        EmbeddedScp scp = new EmbeddedScp(config);
        scp.write(rq);
        scp.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE));
    }

    @Test
    void aConnectionClosedMidPduLeaksNothing() throws Exception {
        byte[] rq = PduCodec.encodeToArray(EmbeddedScp.echoRequest());
        EmbeddedScp scp = new EmbeddedScp(config);
        ByteBuf half = scp.write(Arrays.copyOf(rq, rq.length / 2));
        assertThat(scp.read()).isNull();
        scp.channel.close();
        assertThat(half.refCnt()).isZero();
        scp.channel.checkException();
        assertThat(scp.requests).isEmpty();
    }

    @Test
    void anAbsurdLengthIsRefusedFromTheHeaderAlone() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        ByteBuf header = scp.write(bytes("01 00 FFFFFFFF"));
        scp.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE));
        assertThat(header.refCnt()).isZero();
    }

    @Test
    void anAssociateAcceptAsFirstPduIsUnexpected() throws Exception {
        AssociateRq rq = EmbeddedScp.echoRequest();
        AssociateAc ac = AssociateAc.answering(rq, List.of(PresentationContextAc.accept(1,
                Uids.IMPLICIT_VR_LITTLE_ENDIAN)), UserInformation.dicomlb(0));
        EmbeddedScp scp = new EmbeddedScp(config);
        scp.send(ac);
        scp.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.UNEXPECTED_PDU));
    }

    @Test
    void dataBeforeAssociationAndASecondRequestAreUnexpected() throws Exception {
        EmbeddedScp early = new EmbeddedScp(config);
        early.send(PDataTf.of(new Pdv(1, true, true, Bytes.of((byte) 0))));
        early.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.UNEXPECTED_PDU));

        EmbeddedScp twice = new EmbeddedScp(config);
        twice.associate(EmbeddedScp.echoRequest());
        twice.send(EmbeddedScp.echoRequest());
        twice.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.UNEXPECTED_PDU));
    }

    @Test
    void aMegabyteOfItemsIsRefusedFromTheHeaderUnderTheDefaultBound() throws Exception {
        byte[] huge = megabyteRequest();
        EmbeddedScp scp = new EmbeddedScp(config);
        // Only the header goes in: the verdict must not wait for the body.
        ByteBuf header = scp.write(Arrays.copyOf(huge, 6));
        scp.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE));
        assertThat(header.refCnt()).isZero();
    }

    @Test
    void aMegabyteOfItemsWithinAnUnlimitedBoundIsDecodedAndRefused() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config.withMaxPduLength(0));
        ByteBuf in = scp.write(megabyteRequest());
        // Sixteen user information items: only one may appear.
        scp.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.UNEXPECTED_PDU_PARAMETER));
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void aSlowDripOfAValidRequestIsAnsweredOnlyOnceComplete() throws Exception {
        byte[] rq = PduCodec.encodeToArray(EmbeddedScp.echoRequest());
        EmbeddedScp scp = new EmbeddedScp(config);
        for (int i = 0; i < rq.length - 1; i++) {
            scp.write(new byte[] {rq[i]});
            scp.channel.advanceTimeBy(10, TimeUnit.MILLISECONDS);
            scp.channel.runScheduledPendingTasks();
        }
        assertThat(scp.read()).isNull();
        scp.write(new byte[] {rq[rq.length - 1]});
        assertThat(scp.read()).isInstanceOf(AssociateAc.class);
    }

    @Test
    void aSlowDripThatNeverCompletesIsCutOffByTheAssociateTimer() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        byte[] rq = PduCodec.encodeToArray(EmbeddedScp.echoRequest());
        long stepMillis = config.associateTimeout().toMillis() / 20;
        for (int i = 0; i < 40 && scp.channel.isOpen(); i++) {
            scp.write(new byte[] {rq[i]});
            scp.channel.advanceTimeBy(stepMillis, TimeUnit.MILLISECONDS);
            scp.channel.runScheduledPendingTasks();
        }
        // ARTIM expiry closes without an abort (PS3.8 §9.2, state Sta2).
        assertThat(scp.channel.isOpen()).isFalse();
        assertThat(scp.read()).isNull();
        assertThat(scp.counters.snapshot().protocolErrors()).isOne();
        scp.channel.checkException();
    }

    @Test
    void aPDataLargerThanAdvertisedIsRefused() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config.withMaxPduLength(4096));
        scp.associate(EmbeddedScp.echoRequest());
        scp.send(PDataTf.of(new Pdv(1, true, false, new Bytes(new byte[5000]))));
        scp.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE));
    }

    @Test
    void aPdvOnAContextThatWasNotAcceptedIsRefused() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        scp.associate(EmbeddedScp.echoRequest());
        scp.send(PDataTf.of(new Pdv(3, true, true, Bytes.of((byte) 0))));
        scp.assertSentOnlyAndClosed(Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE));
    }

    @Test
    void anUnreadableCommandSetAbortsAsTheServiceUser() throws Exception {
        EmbeddedScp scp = new EmbeddedScp(config);
        scp.associate(EmbeddedScp.echoRequest());
        scp.send(PDataTf.of(new Pdv(1, true, true, new Bytes(bytes("0800 1600 02000000 3000")))));
        scp.assertSentOnlyAndClosed(Abort.BY_SERVICE_USER);
    }

    /** An A-ASSOCIATE-RQ of about 1 MiB: sixteen full user information items of unknown sub-items. */
    private static byte[] megabyteRequest() {
        byte[] valid = PduCodec.encodeToArray(EmbeddedScp.echoRequest());
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(Arrays.copyOfRange(valid, 6, valid.length));
        byte[] subItem = new byte[4 + 65_000];
        subItem[0] = 0x70;
        subItem[2] = (byte) (65_000 >> 8);
        subItem[3] = (byte) 65_000;
        for (int i = 0; i < 16; i++) {
            body.writeBytes(bytes("50 00", String.format("%04X", subItem.length)));
            body.writeBytes(subItem);
        }
        byte[] b = body.toByteArray();
        return bytes("01 00", String.format("%08X", b.length), b);
    }
}
