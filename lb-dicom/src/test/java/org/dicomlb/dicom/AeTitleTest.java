package org.dicomlb.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AeTitleTest {
    @Test
    void surroundingSpacesAreNotSignificant() {
        assertThat(AeTitle.of("  CT01 ").value()).isEqualTo("CT01");
        assertThat(AeTitle.of(" CT01")).isEqualTo(AeTitle.of("CT01"));
    }

    @Test
    void sixteenCharactersFitAndSeventeenDoNot() {
        assertThat(AeTitle.of("ABCDEFGHIJKLMNOP").value()).hasSize(16);
        assertThatThrownBy(() -> AeTitle.of("ABCDEFGHIJKLMNOPQ")).hasMessageContaining("longer than 16");
        // Spaces around a 16-character title do not count against the limit.
        assertThat(AeTitle.of(" ABCDEFGHIJKLMNOP ").value()).isEqualTo("ABCDEFGHIJKLMNOP");
    }

    @Test
    void rejectsWhatTheStandardForbids() {
        assertThatThrownBy(() -> AeTitle.of("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AeTitle.of("                ")).hasMessageContaining("all spaces");
        assertThatThrownBy(() -> AeTitle.of("CT\\01")).hasMessageContaining("backslash");
        assertThatThrownBy(() -> AeTitle.of("CT\t01")).hasMessageContaining("not printable");
        assertThatThrownBy(() -> AeTitle.of("CT\u00e901")).hasMessageContaining("not printable");
        assertThatThrownBy(() -> AeTitle.of("CT\n")).hasMessageContaining("not printable");
        assertThat(AeTitle.parse("   ")).isEmpty();
        assertThat(AeTitle.parse(null)).isEmpty();
    }

    @Test
    void innerSpacesAndPunctuationAreAllowed() {
        assertThat(AeTitle.of("MR 3T_#1 (west)").value()).isEqualTo("MR 3T_#1 (west)");
    }

    @Test
    void encodesSpacePaddedToSixteenOctets() {
        assertThat(new String(AeTitle.of("CT01").toWire(), StandardCharsets.US_ASCII)).isEqualTo("CT01            ");
    }

    @Test
    void wireTitleDecodesWhateverArrivesAndSaysWhatIsWrong() {
        WireAeTitle blank = WireAeTitle.fromWire("                ".getBytes(StandardCharsets.US_ASCII));
        assertThat(blank.asAeTitle()).isEmpty();
        assertThat(blank.problem()).contains("empty");

        byte[] control = Hex.bytes(Hex.ascii("CT"), "01 02", Hex.ascii("            "));
        WireAeTitle weird = WireAeTitle.fromWire(control);
        assertThat(weird.asAeTitle()).isEmpty();
        assertThat(weird.text()).isEqualTo("CT\\x01\\x02");
        assertThat(weird.problem()).hasValueSatisfying(p -> assertThat(p).contains("not printable"));
        assertThat(weird.toWire()).isEqualTo(control);
    }

    @Test
    void wireTitleToleratesNulPadding() {
        WireAeTitle nul = WireAeTitle.fromWire(Hex.bytes(Hex.ascii("STORESCP"), "00 00 00 00 00 00 00 00"));
        assertThat(nul.asAeTitle()).contains(AeTitle.of("STORESCP"));
        assertThat(nul.text()).isEqualTo("STORESCP");
    }

    @Test
    void wireTitleKeepsEveryOctetValue() {
        byte[] all = new byte[16];
        for (int i = 0; i < 16; i++) {
            all[i] = (byte) (0xf0 + i);
        }
        assertThat(WireAeTitle.fromWire(all).toWire()).isEqualTo(all);
        assertThatThrownBy(() -> WireAeTitle.fromWire(new byte[15])).hasMessageContaining("16 bytes");
    }
}
