package org.dicomlb.engine.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.testing.Configs;
import org.junit.jupiter.api.Test;

/** Routing and the calling-AE allow list, decided from the request alone. */
class AdmissionTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String MR = "1.2.840.10008.5.1.4.1.1.4";

    private static ListenerConfig listener(String extras) {
        return Configs.engine("""
                listeners:
                  - name: dicom
                    bind: 127.0.0.1:10104
                    mode: dicom
                %s
                pools:
                  - { name: archive, backends: [{ name: a, address: 127.0.0.11:104 }] }
                  - { name: qr, backends: [{ name: q, address: 127.0.0.12:104 }] }
                  - { name: ct, backends: [{ name: c, address: 127.0.0.13:104 }] }
                  - { name: remote, backends: [{ name: r, address: 127.0.0.14:104 }] }
                """.formatted(extras)).listeners().getFirst();
    }

    private static Admission decide(ListenerConfig l, String called, String calling, String client, String... syntaxes)
            throws Exception {
        return Admission.decide(l, Pdus.request(called, calling, syntaxes), InetAddress.getByName(client));
    }

    @Test
    void theFirstMatchingRouteWinsAndTheListenerPoolIsTheDefault() throws Exception {
        ListenerConfig l = listener("""
                    pool: archive
                    routes:
                      - { called-ae: "QR_*", pool: qr }
                      - { name: ct-images, sop-class: [%s], pool: ct }
                      - { source: 127.0.2.0/24, calling-ae: "REMOTE?", pool: remote }
                      - { called-ae: QR_MAIN, pool: archive }
                """.formatted(CT));
        assertThat(decide(l, "QR_MAIN", "X", "127.0.0.1")).isEqualTo(new Admission.Route("qr", "1"));
        assertThat(decide(l, "ARCHIVE", "X", "127.0.0.1", MR, CT)).isEqualTo(new Admission.Route("ct", "ct-images"));
        assertThat(decide(l, "ARCHIVE", "REMOTE1", "127.0.2.9")).isEqualTo(new Admission.Route("remote", "3"));
        assertThat(decide(l, "ARCHIVE", "REMOTE1", "127.0.3.9")).isEqualTo(new Admission.Route("archive", "default"));
        assertThat(decide(l, "ARCHIVE", "REMOTE12", "127.0.2.9")).isEqualTo(new Admission.Route("archive", "default"));
        assertThat(decide(l, "qr_main", "X", "127.0.0.1")).as("AE titles are case-sensitive")
                .isEqualTo(new Admission.Route("archive", "default"));
    }

    @Test
    void withoutADefaultPoolAnUnroutedAssociationIsCalledAeNotRecognized() throws Exception {
        ListenerConfig l = listener("    routes: [{ called-ae: ARCHIVE, pool: archive }]");
        assertThat(decide(l, "ARCHIVE", "X", "127.0.0.1")).isEqualTo(new Admission.Route("archive", "1"));
        assertThat(decide(l, "OTHER", "X", "127.0.0.1")).isEqualTo(new Admission.Refuse(
                AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED)));
    }

    @Test
    void theAllowListIsCheckedBeforeRouting() throws Exception {
        ListenerConfig l = listener("    pool: archive\n    allowed-calling-aes: [CT01, \"MR_*\"]");
        assertThat(decide(l, "ARCHIVE", "CT01", "127.0.0.1")).isInstanceOf(Admission.Route.class);
        assertThat(decide(l, "ARCHIVE", "MR_7", "127.0.0.1")).isInstanceOf(Admission.Route.class);
        assertThat(decide(l, "ARCHIVE", "CT012", "127.0.0.1")).isEqualTo(new Admission.Refuse(
                AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED)));
    }
}
