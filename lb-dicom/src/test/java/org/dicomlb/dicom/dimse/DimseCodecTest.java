package org.dicomlb.dicom.dimse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.dicom.Hex.ascii;
import static org.dicomlb.dicom.Hex.bytes;

import java.util.Optional;
import java.util.OptionalInt;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.pdu.Bytes;
import org.dicomlb.dicom.pdu.Pdv;
import org.junit.jupiter.api.Test;

class DimseCodecTest {
    /** The C-ECHO-RQ command set of dicom-ul.md: 68 octets, group length 56. */
    static final byte[] ECHO_RQ = bytes(
            "0000 0000 04000000 38000000",
            "0000 0200 12000000", ascii("1.2.840.10008.1.1"), "00",
            "0000 0001 02000000 3000",
            "0000 1001 02000000 0100",
            "0000 0008 02000000 0101");

    /** A C-ECHO-RSP as DCMTK sends it: no group length, status success. */
    static final byte[] ECHO_RSP = bytes(
            "0000 0200 12000000", ascii("1.2.840.10008.1.1"), "00",
            "0000 0001 02000000 3080",
            "0000 2001 02000000 0700",
            "0000 0008 02000000 0101",
            "0000 0009 02000000 0000");

    @Test
    void echoRequestIsTheSixtyEightOctetsOfTheStandard() throws Exception {
        assertThat(DimseCodec.encode(DimseCommand.echoRq(1))).isEqualTo(ECHO_RQ);
        assertThat(DimseCodec.decode(ECHO_RQ)).isEqualTo(DimseCommand.echoRq(1));
    }

    @Test
    void echoResponseDecodesWithoutAGroupLength() throws Exception {
        DimseCommand rsp = DimseCodec.decode(ECHO_RSP);
        assertThat(rsp.commandField()).isEqualTo(CommandField.C_ECHO_RSP);
        assertThat(rsp.messageIdBeingRespondedTo()).hasValue(7);
        assertThat(rsp.status()).hasValue(Status.SUCCESS);
        assertThat(rsp.hasDataSet()).isFalse();
        assertThat(DimseCodec.decode(DimseCodec.encode(rsp))).isEqualTo(rsp);
    }

    @Test
    void storeRequestAndResponseRoundTrip() throws Exception {
        DimseCommand rq = DimseCommand.storeRq(42, Uids.SECONDARY_CAPTURE_IMAGE_STORAGE, "1.2.3.4.5", 0);
        DimseCommand back = DimseCodec.decode(DimseCodec.encode(rq));
        assertThat(back).isEqualTo(rq);
        assertThat(back.hasDataSet()).isTrue();
        DimseCommand rsp = DimseCommand.storeRsp(42, Uids.SECONDARY_CAPTURE_IMAGE_STORAGE, "1.2.3.4.5",
                Status.OUT_OF_RESOURCES);
        assertThat(DimseCodec.decode(DimseCodec.encode(rsp))).isEqualTo(rsp);
        // Odd-length UIDs are NUL-padded to even length.
        assertThat(DimseCodec.encode(rq).length % 2).isZero();
    }

    @Test
    void unknownElementsAreSkippedAndPaddingTolerated() throws Exception {
        byte[] withExtras = bytes(
                "0000 0200 12000000", ascii("1.2.840.10008.1.1 "), // space instead of NUL padding
                "0000 0001 02000000 3080",
                "0000 2001 02000000 0100",
                "0000 0008 02000000 0101",
                "0000 0009 02000000 1001", // status 0x0110 (processing failure)
                "0000 0209 06000000", ascii("ABCDEF")); // (0000,0902) error comment
        DimseCommand rsp = DimseCodec.decode(withExtras);
        assertThat(rsp.affectedSopClassUid()).contains(Uids.VERIFICATION);
        assertThat(rsp.status()).hasValue(0x0110);
    }

    @Test
    void refusesCommandSetsItCannotTrust() {
        assertThatThrownBy(() -> DimseCodec.decode(bytes("0800 1600 02000000 3000")))
                .hasMessageContaining("outside group 0000");
        assertThatThrownBy(() -> DimseCodec.decode(bytes("0000 0008 02000000 0101")))
                .hasMessageContaining("Command Field");
        assertThatThrownBy(() -> DimseCodec.decode(bytes("0000 0001 02000000 3000 0000 0008 FFFFFFFF")))
                .hasMessageContaining("announces 4294967295 octets");
        assertThatThrownBy(() -> DimseCodec.decode(bytes("0000 0001 02000000 3000 0000")))
                .hasMessageContaining("inside an element header");
        assertThatThrownBy(() -> DimseCodec.decode(bytes("0000 0001 02000000 3412 0000 0008 02000000 0101")))
                .hasMessageContaining("0x1234 is not defined");
        assertThatThrownBy(() -> DimseCodec.decode(bytes("0000 0001 04000000 30000000 0000 0008 02000000 0101")))
                .hasMessageContaining("is US but 4 octets");
    }

    @Test
    void assemblerJoinsFragmentsAndBoundsTheirSize() throws Exception {
        CommandAssembler assembler = new CommandAssembler(100);
        assertThat(assembler.add(new Pdv(1, true, false, new Bytes(java.util.Arrays.copyOfRange(ECHO_RQ, 0, 30)))))
                .isEmpty();
        assertThat(assembler.inProgress()).isTrue();
        Optional<byte[]> whole = assembler.add(
                new Pdv(1, true, true, new Bytes(java.util.Arrays.copyOfRange(ECHO_RQ, 30, ECHO_RQ.length))));
        assertThat(whole).hasValueSatisfying(b -> assertThat(b).isEqualTo(ECHO_RQ));
        assertThat(assembler.inProgress()).isFalse();

        assertThatThrownBy(() -> assembler.add(new Pdv(1, true, false, new Bytes(new byte[101]))))
                .hasMessageContaining("exceeds 100");
        CommandAssembler other = new CommandAssembler(100);
        other.add(new Pdv(1, true, false, Bytes.of((byte) 0)));
        assertThatThrownBy(() -> other.add(new Pdv(3, true, true, Bytes.of((byte) 0))))
                .hasMessageContaining("switch from presentation context 1 to 3");
        assertThatThrownBy(() -> other.add(new Pdv(1, false, true, Bytes.of((byte) 0))))
                .hasMessageContaining("data set fragment");
    }

    @Test
    void commandRecordRefusesValuesThatDoNotFit() {
        assertThatThrownBy(() -> DimseCommand.echoRq(0x10000)).hasMessageContaining("16 bits");
        assertThatThrownBy(() -> new DimseCommand(CommandField.C_ECHO_RQ, OptionalInt.of(1), OptionalInt.empty(),
                Optional.of("not-a-uid"), Optional.empty(), OptionalInt.empty(), false, OptionalInt.empty()))
                .hasMessageContaining("not a UID");
    }
}
