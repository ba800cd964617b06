package org.dicomlb.dicom.pdu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.dicom.Hex.ae;
import static org.dicomlb.dicom.Hex.ascii;
import static org.dicomlb.dicom.Hex.bytes;

import java.util.List;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.WireAeTitle;
import org.junit.jupiter.api.Test;

/** Every PDU type against bytes written out by hand from PS3.8 §9.3. */
class PduCodecTest {
    private static final String ZERO_32 = "00".repeat(32);

    /** Application context, one Verification context, user info: max 16384, UID 1.2.3.4, name TEST. */
    static final byte[] RQ = bytes(
            "01 00 000000AE", // A-ASSOCIATE-RQ, length 174
            "0001 0000", // protocol version 1, reserved
            ae("ECHOSCP"), ae("ECHOSCU"), ZERO_32,
            "10 00 0015", ascii("1.2.840.10008.3.1.1.1"),
            "20 00 002E", "01 00 00 00", // presentation context 1 (length 46)
            "30 00 0011", ascii("1.2.840.10008.1.1"),
            "40 00 0011", ascii("1.2.840.10008.1.2"),
            "50 00 001B", // user information (length 27)
            "51 00 0004 00004000",
            "52 00 0007", ascii("1.2.3.4"),
            "55 00 0004", ascii("TEST"));

    static final byte[] AC = bytes(
            "02 00 00000099", // A-ASSOCIATE-AC, length 153
            "0001 0000", ae("ECHOSCP"), ae("ECHOSCU"), ZERO_32,
            "10 00 0015", ascii("1.2.840.10008.3.1.1.1"),
            "21 00 0019", "01 00 00 00", // context 1, result 0 (acceptance)
            "40 00 0011", ascii("1.2.840.10008.1.2"),
            "50 00 001B", "51 00 0004 00004000", "52 00 0007", ascii("1.2.3.4"), "55 00 0004", ascii("TEST"));

    /** PS3.7 §9.3.5 C-ECHO-RQ, message ID 1, on context 1: the 80 octets of dicom-ul.md. */
    static final byte[] ECHO_RQ_PDATA = bytes(
            "04 00 0000004A", // P-DATA-TF, length 74
            "00000046 01 03", // PDV length 70, context 1, command + last
            "0000 0000 04000000 38000000", // (0000,0000) UL group length 56
            "0000 0200 12000000", ascii("1.2.840.10008.1.1"), "00", // (0000,0002) affected SOP class
            "0000 0001 02000000 3000", // (0000,0100) command field C-ECHO-RQ
            "0000 1001 02000000 0100", // (0000,0110) message ID 1
            "0000 0008 02000000 0101"); // (0000,0800) no data set

    private static UserInformation userInfo() {
        return UserInformation.of(16384, "1.2.3.4", "TEST");
    }

    @Test
    void associateRqMatchesTheStandardLayout() throws Exception {
        AssociateRq rq = AssociateRq.of(AeTitle.of("ECHOSCP"), AeTitle.of("ECHOSCU"),
                List.of(PresentationContextRq.of(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN)), userInfo());
        assertThat(PduCodec.encodeToArray(rq)).isEqualTo(RQ);
        assertThat(PduCodec.decode(RQ)).isEqualTo(rq);
    }

    @Test
    void associateAcMatchesTheStandardLayout() throws Exception {
        AssociateAc ac = new AssociateAc(1, WireAeTitle.of(AeTitle.of("ECHOSCP")), WireAeTitle.of(AeTitle.of("ECHOSCU")),
                Uids.APPLICATION_CONTEXT, List.of(PresentationContextAc.accept(1, Uids.IMPLICIT_VR_LITTLE_ENDIAN)),
                userInfo());
        assertThat(PduCodec.encodeToArray(ac)).isEqualTo(AC);
        AssociateAc decoded = (AssociateAc) PduCodec.decode(AC);
        assertThat(decoded).isEqualTo(ac);
        assertThat(decoded.presentationContext(1)).hasValueSatisfying(pc -> assertThat(pc.accepted()).isTrue());
    }

    @Test
    void acceptorEchoesTheRequestAeFieldsWithoutSwappingThem() throws Exception {
        AssociateRq rq = (AssociateRq) PduCodec.decode(RQ);
        AssociateAc ac = AssociateAc.answering(rq, List.of(PresentationContextAc.accept(1, Uids.IMPLICIT_VR_LITTLE_ENDIAN)),
                userInfo());
        assertThat(PduCodec.encodeToArray(ac)).isEqualTo(AC);
    }

    @Test
    void associateRjCarriesResultSourceAndReason() throws Exception {
        byte[] wire = bytes("03 00 00000004", "00 01 01 07");
        AssociateRj rj = AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED);
        assertThat(PduCodec.encodeToArray(rj)).isEqualTo(wire);
        assertThat(PduCodec.decode(wire)).isEqualTo(rj);

        AssociateRj transient_ = (AssociateRj) PduCodec.decode(bytes("03 00 00000004", "FF 02 03 01"));
        assertThat(transient_.result()).isEqualTo(RejectResult.TRANSIENT);
        assertThat(transient_.reason()).isEqualTo(RejectReason.TEMPORARY_CONGESTION);
        // A reserved reason still decodes as a reject; the octet is kept.
        AssociateRj reserved = (AssociateRj) PduCodec.decode(bytes("03 00 00000004", "00 01 01 05"));
        assertThat(reserved.reason()).isEqualTo(RejectReason.RESERVED);
        assertThat(reserved.reasonCode()).isEqualTo(5);
    }

    @Test
    void pDataCarriesTheEightyOctetCEchoRequest() throws Exception {
        assertThat(ECHO_RQ_PDATA).hasSize(80);
        PDataTf p = (PDataTf) PduCodec.decode(ECHO_RQ_PDATA);
        assertThat(p.pdvs()).hasSize(1);
        Pdv pdv = p.pdvs().getFirst();
        assertThat(pdv.contextId()).isEqualTo(1);
        assertThat(pdv.command()).isTrue();
        assertThat(pdv.last()).isTrue();
        assertThat(pdv.data().length()).isEqualTo(68);
        assertThat(PduCodec.encodeToArray(p)).isEqualTo(ECHO_RQ_PDATA);
    }

    @Test
    void releaseAndAbortAreFourReservedOrCodedOctets() throws Exception {
        assertThat(PduCodec.encodeToArray(ReleaseRq.INSTANCE)).isEqualTo(bytes("05 00 00000004 00000000"));
        assertThat(PduCodec.encodeToArray(ReleaseRp.INSTANCE)).isEqualTo(bytes("06 00 00000004 00000000"));
        Abort abort = Abort.byProvider(AbortReason.UNEXPECTED_PDU);
        assertThat(PduCodec.encodeToArray(abort)).isEqualTo(bytes("07 00 00000004 00 00 02 02"));
        assertThat(PduCodec.decode(bytes("07 00 00000004 00 00 02 02"))).isEqualTo(abort);
        assertThat(PduCodec.decode(bytes("05 00 00000004 00000000"))).isEqualTo(ReleaseRq.INSTANCE);
        assertThat(PduCodec.decode(bytes("06 00 00000004 00000000"))).isEqualTo(ReleaseRp.INSTANCE);
    }

    @Test
    void reservedFieldsAreNeverTested() throws Exception {
        assertThat(PduCodec.decode(bytes("05 FF 00000004 DEADBEEF"))).isEqualTo(ReleaseRq.INSTANCE);
        assertThat(PduCodec.decode(bytes("07 01 00000004 AA BB 02 06")))
                .isEqualTo(Abort.byProvider(AbortReason.INVALID_PDU_PARAMETER_VALUE));
        // A service-user abort's reason is not significant, whatever the peer put there.
        assertThat(PduCodec.decode(bytes("07 00 00000004 00 00 00 05"))).isEqualTo(Abort.BY_SERVICE_USER);
        byte[] rq = RQ.clone();
        rq[1] = 0x7f; // PDU reserved
        rq[8] = 0x12; // reserved after version
        for (int i = 42; i < 74; i++) {
            rq[i] = (byte) i; // the 32 reserved octets
        }
        assertThat(PduCodec.decode(rq)).isEqualTo(PduCodec.decode(RQ));
    }

    @Test
    void onlyBitZeroOfTheProtocolVersionMatters() throws Exception {
        byte[] v3 = RQ.clone();
        v3[7] = 0x03;
        byte[] v2 = RQ.clone();
        v2[7] = 0x02;
        assertThat(((AssociateRq) PduCodec.decode(v3)).supportsVersion1()).isTrue();
        assertThat(((AssociateRq) PduCodec.decode(v2)).supportsVersion1()).isFalse();
    }

    @Test
    void maxLengthIsUnsigned() throws Exception {
        for (long max : new long[] {0L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL}) {
            UserInformation info = UserInformation.of(max, "1.2.3.4", "TEST");
            AssociateRq rq = ((AssociateRq) PduCodec.decode(RQ)).withUserInformation(info);
            AssociateRq back = (AssociateRq) PduCodec.decode(PduCodec.encodeToArray(rq));
            assertThat(back.userInformation().maxLength()).isEqualTo(max);
        }
        assertThat(new UserInfoItem.MaxLength(0).unlimited()).isTrue();
    }

    @Test
    void uidsWithATrailingNulAreTolerated() throws Exception {
        byte[] wire = bytes(
                "01 00 000000B0", "0001 0000", ae("ECHOSCP"), ae("ECHOSCU"), ZERO_32,
                "10 00 0016", ascii("1.2.840.10008.3.1.1.1"), "00",
                "20 00 002F", "01 00 00 00",
                "30 00 0012", ascii("1.2.840.10008.1.1"), "00",
                "40 00 0011", ascii("1.2.840.10008.1.2"),
                "50 00 001B", "51 00 0004 00004000", "52 00 0007", ascii("1.2.3.4"), "55 00 0004", ascii("TEST"));
        assertThat(PduCodec.decode(wire)).isEqualTo(PduCodec.decode(RQ));
    }

    @Test
    void unknownUserInformationSubItemsAreKeptAndReencodedInPlace() throws Exception {
        byte[] wire = bytes(
                "01 00 000000BE", "0001 0000", ae("ECHOSCP"), ae("ECHOSCU"), ZERO_32,
                "10 00 0015", ascii("1.2.840.10008.3.1.1.1"),
                "20 00 002E", "01 00 00 00", "30 00 0011", ascii("1.2.840.10008.1.1"),
                "40 00 0011", ascii("1.2.840.10008.1.2"),
                "50 00 002B", // user information (length 43)
                "51 00 0004 00004000",
                "7F 00 0005 0102030405", // unknown sub-item between known ones
                "52 00 0007", ascii("1.2.3.4"),
                "5A 00 0003 AABBCC", // next type after 0x59: not defined yet
                "55 00 0004", ascii("TEST"));
        AssociateRq rq = (AssociateRq) PduCodec.decode(wire);
        assertThat(rq.userInformation().unknownItems()).containsExactly(
                new UserInfoItem.Unknown(0x7F, Bytes.of((byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5)),
                new UserInfoItem.Unknown(0x5A, Bytes.of((byte) 0xAA, (byte) 0xBB, (byte) 0xCC)));
        assertThat(rq.userInformation().maxLength()).isEqualTo(16384);
        assertThat(rq.userInformation().implementationClassUid()).contains("1.2.3.4");
        assertThat(PduCodec.encodeToArray(rq)).isEqualTo(wire);
    }

    @Test
    void everyDefinedUserInformationSubItemDecodes() throws Exception {
        byte[] info = bytes(
                "51 00 0004 00000000",
                "52 00 0007", ascii("1.2.3.4"),
                "53 00 0004 0005 0000",
                "54 00 000D 0009", ascii("1.2.3.4.5"), "01 00",
                "55 00 0004", ascii("TEST"),
                "56 00 0008 0003", ascii("1.2"), "01 02 03",
                "57 00 0014 0003", ascii("1.2"), "0003", ascii("3.4"), "0008 0001", ascii("5"), "0003", ascii("6.7"),
                "58 00 000C 02 01 0004", ascii("user"), "0002", ascii("pw"),
                "59 00 0004 0002 CAFE");
        byte[] wire = bytes(
                "01 00", String.format("%08X", 68 + 25 + 50 + 4 + info.length), "0001 0000", ae("A"), ae("B"), ZERO_32,
                "10 00 0015", ascii("1.2.840.10008.3.1.1.1"),
                "20 00 002E", "01 00 00 00", "30 00 0011", ascii("1.2.840.10008.1.1"),
                "40 00 0011", ascii("1.2.840.10008.1.2"),
                "50 00", String.format("%04X", info.length), info);
        UserInformation u = ((AssociateRq) PduCodec.decode(wire)).userInformation();
        assertThat(u.items()).containsExactly(
                new UserInfoItem.MaxLength(0),
                new UserInfoItem.ImplementationClassUid("1.2.3.4"),
                new UserInfoItem.AsyncOpsWindow(5, 0),
                new UserInfoItem.RoleSelection("1.2.3.4.5", true, false),
                new UserInfoItem.ImplementationVersionName("TEST"),
                new UserInfoItem.SopClassExtendedNegotiation("1.2", Bytes.of((byte) 1, (byte) 2, (byte) 3)),
                new UserInfoItem.SopClassCommonExtendedNegotiation("1.2", "3.4", List.of("5", "6.7")),
                new UserInfoItem.UserIdentityRq(2, true, new Bytes("user".getBytes()), new Bytes("pw".getBytes())),
                new UserInfoItem.UserIdentityAc(Bytes.of((byte) 0xCA, (byte) 0xFE)));
        assertThat(u.userIdentityRq().orElseThrow().toString()).doesNotContain("pw").contains("2 octets");
        assertThat(PduCodec.encodeToArray(PduCodec.decode(wire))).isEqualTo(wire);
    }

    @Test
    void rejectsWhatIsNotAValidPdu() {
        assertDecodeFails(bytes("08 00 00000004 00000000"), AbortReason.UNRECOGNIZED_PDU);
        assertDecodeFails(bytes("03 00 00000005 00 01 01 01 00"), AbortReason.INVALID_PDU_PARAMETER_VALUE);
        assertDecodeFails(bytes("03 00 00000004 00 03 01 01"), AbortReason.INVALID_PDU_PARAMETER_VALUE);
        // A length near 2^32 is a length, not a negative number: there are simply not enough octets.
        assertDecodeFails(bytes("04 00 FFFFFFFF 00000002 01 03"), AbortReason.INVALID_PDU_PARAMETER_VALUE);
        // PDV with an even presentation context ID, and one whose length overruns the PDU.
        assertDecodeFails(bytes("04 00 00000006 00000002 02 03"), AbortReason.INVALID_PDU_PARAMETER_VALUE);
        assertDecodeFails(bytes("04 00 00000006 00000009 01 03"), AbortReason.INVALID_PDU_PARAMETER_VALUE);
        assertDecodeFails(bytes("04 00 00000000"), AbortReason.INVALID_PDU_PARAMETER_VALUE);
        assertDecodeFails(bytes("01 00 00"), AbortReason.INVALID_PDU_PARAMETER_VALUE);
    }

    @Test
    void rejectsMisplacedOrUnknownItemsWithTheMatchingAbortReason() {
        byte[] unknownItem = RQ.clone();
        unknownItem[74] = 0x11; // the application context item becomes type 0x11
        assertDecodeFails(unknownItem, AbortReason.UNRECOGNIZED_PDU_PARAMETER);
        byte[] acItemInRq = RQ.clone();
        acItemInRq[74 + 25] = 0x21; // the presentation context item becomes the AC kind
        assertDecodeFails(acItemInRq, AbortReason.UNEXPECTED_PDU_PARAMETER);
        byte[] overrun = RQ.clone();
        overrun[74 + 3] = 0x40; // application context claims 64 octets
        assertDecodeFails(overrun, AbortReason.INVALID_PDU_PARAMETER_VALUE);
        byte[] noUserInfo = bytes("01 00 0000008F", java.util.Arrays.copyOfRange(RQ, 6, 6 + 68 + 25 + 50));
        assertDecodeFails(noUserInfo, AbortReason.INVALID_PDU_PARAMETER_VALUE);
        byte[] badUid = RQ.clone();
        badUid[74 + 4] = 'x';
        assertDecodeFails(badUid, AbortReason.INVALID_PDU_PARAMETER_VALUE);
    }

    @Test
    void fragmentsRespectThePeerMaxLength() {
        byte[] message = new byte[100];
        List<PDataTf> parts = PDataTf.fragment(3, false, message, 46);
        assertThat(parts).hasSize(3);
        assertThat(parts).allSatisfy(p -> assertThat(p.bodyLength()).isLessThanOrEqualTo(46));
        assertThat(parts.stream().map(p -> p.pdvs().getFirst().last()).toList()).containsExactly(false, false, true);
        assertThat(PDataTf.fragment(3, true, message, 0)).hasSize(1);
        assertThat(PDataTf.fragment(3, true, new byte[0], 100).getFirst().pdvs().getFirst().last()).isTrue();
        assertThatThrownBy(() -> PDataTf.fragment(3, true, message, 6)).hasMessageContaining("no room");
    }

    private static void assertDecodeFails(byte[] wire, AbortReason reason) {
        assertThatThrownBy(() -> PduCodec.decode(wire))
                .isInstanceOf(PduDecodeException.class)
                .satisfies(e -> assertThat(((PduDecodeException) e).abortReason()).isEqualTo(reason));
    }
}
