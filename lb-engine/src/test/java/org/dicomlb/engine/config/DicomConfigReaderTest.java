package org.dicomlb.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.engine.testing.Configs;
import org.junit.jupiter.api.Test;

/** The dicom listener keys and the backend called-ae: what is accepted and how mistakes read. */
class DicomConfigReaderTest {
    private static final String POOLS = """
            pools:
              - name: archive
                backends:
                  - { name: a, address: 127.0.0.11:104, called-ae: ARCHIVE1 }
            """;

    private static String listener(String body) {
        return "listeners:\n  - name: dicom\n    bind: 127.0.0.1:10104\n" + body + POOLS;
    }

    @Test
    void aFullDicomListenerReads() {
        EngineConfig c = Configs.engine(listener("""
                    mode: dicom
                    routes:
                      - { name: qr, called-ae: "QR_*", calling-ae: "VIEW?", source: [127.0.2.0/24], sop-class: 1.2.840.10008.1.1, pool: archive }
                    allowed-calling-aes: [CT01, "MR_*"]
                    max-associate-rq: 131072
                    observe-pdus: false
                """));
        ListenerConfig l = c.listeners().getFirst();
        assertThat(l.pool()).isNull();
        assertThat(((DicomMode) l.mode()).routes()).singleElement().satisfies(r -> {
            assertThat(r.label()).isEqualTo("qr");
            assertThat(r.calledAe()).contains(new AePattern("QR_*"));
            assertThat(r.sopClasses()).containsExactly("1.2.840.10008.1.1");
        });
        assertThat(((DicomMode) l.mode()).allowedCallingAes()).containsExactly(new AePattern("CT01"), new AePattern("MR_*"));
        assertThat(((DicomMode) l.mode()).maxAssociateRq()).isEqualTo(131072);
        assertThat(((DicomMode) l.mode()).observePdus()).isFalse();
        assertThat(c.pools().getFirst().backends().getFirst().calledAe()).isEqualTo(Optional.of(AeTitle.of("ARCHIVE1")));
    }

    @Test
    void mistakesAreReportedWhereTheyAre() {
        assertThat(Configs.errors(listener("""
                    mode: dicom
                    routes:
                      - { called-ae: "TOO_LONG_FOR_AN_AE_TITLE", pool: archive }
                      - { calling-ae: "BACK\\\\SLASH", pool: nowhere }
                      - { pool: archive }
                      - { called-ae: X, pool: archive }
                    allowed-calling-aes: []
                    max-associate-rq: 100
                """))).containsExactly(
                "test.yaml:6:22: 'called-ae': 'TOO_LONG_FOR_AN_AE_TITLE' can never match: AE titles have at most 16 characters",
                "test.yaml:7:23: 'calling-ae': 'BACK\\SLASH' is not an AE title or glob: backslash is not allowed",
                "test.yaml:7:44: route 2 uses pool 'nowhere', which is not defined (pools: archive)",
                "test.yaml:9:9: listener 'dicom' route 4 can never match: route 3 before it has no conditions and matches every association",
                "test.yaml:10:26: 'allowed-calling-aes' is empty, which would reject every association; leave it out to allow every calling AE",
                "test.yaml:11:23: 'max-associate-rq' is 100; it must be between 1024 and 16777216");
    }

    @Test
    void aListenerWithoutRoutesNeedsItsPoolAndTcpListenersHaveNoDicomKeys() {
        assertThat(Configs.errors(listener("    mode: dicom\n"))).containsExactly(
                "test.yaml:2:5: listener 'dicom' needs 'pool'");
        assertThat(Configs.errors(listener("    pool: archive\n    routes: [{ pool: archive }]\n"))).containsExactly(
                "test.yaml:5:13: 'routes' applies to mode: dicom listeners only (listener 'dicom' is mode: tcp)");
    }

    @Test
    void aBackendCalledAeMustBeAnAeTitle() {
        assertThat(Configs.errors("""
                listeners: [{ name: l, bind: 127.0.0.1:104, pool: p }]
                pools:
                  - name: p
                    backends: [{ name: a, address: 127.0.0.11:104, called-ae: "   " }]
                """)).containsExactly("test.yaml:4:63: 'called-ae': invalid AE title '   ': all spaces");
    }

    @Test
    void globsMatchLikeShellPatterns() {
        assertThat(new AePattern("QR_*").matches("QR_")).isTrue();
        assertThat(new AePattern("QR_*").matches("QR")).isFalse();
        assertThat(new AePattern("*_QR").matches("A_B_QR")).isTrue();
        assertThat(new AePattern("M?_*X").matches("MR_1X")).isTrue();
        assertThat(new AePattern("M?_*X").matches("MRR_1X")).isFalse();
        assertThat(new AePattern("*").matches("")).isTrue();
        assertThat(new AePattern("CT01").exact()).isTrue();
        assertThat(new AePattern("a*a*a*a*a*a*b").matches("aaaaaaaaaaaaaaaa")).isFalse();
    }
}
