package org.dicomlb.engine.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.AePattern;
import org.dicomlb.engine.config.CertificateBinding;
import org.dicomlb.engine.config.DicomMode;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.tls.PeerIdentity;
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

    /** The binding check itself (the listener's TLS part is exercised end to end in the harness). */
    @Test
    void aCertificateMayOnlyCallAsTheAeTitlesItsBindingsAllow() throws Exception {
        DicomMode bound = new DicomMode(List.of(), List.of(), DicomMode.DEFAULT_MAX_ASSOCIATE_RQ, true, List.of(
                new CertificateBinding(CertificateBinding.Field.DNS, "ct01.radiology.example.org", List.of(AePattern.parse("CT01"))),
                new CertificateBinding(CertificateBinding.Field.CN, "MR scanner *", List.of(AePattern.parse("MR_*"))),
                new CertificateBinding(CertificateBinding.Field.URI, "urn:dicom:ae:US01", List.of(AePattern.parse("US01")))));
        Admission.Refuse notRecognized = new Admission.Refuse(AssociateRj.of(RejectResult.PERMANENT,
                RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED));
        PeerIdentity ct = new PeerIdentity("CN=ct01,O=Radiology", Optional.of("ct01"), List.of("CT01.Radiology.example.org"),
                List.of(), List.of());
        PeerIdentity mr = new PeerIdentity("CN=MR scanner 2", Optional.of("MR scanner 2"), List.of(), List.of(), List.of());
        PeerIdentity us = new PeerIdentity("CN=us", Optional.of("us"), List.of(), List.of(), List.of("urn:dicom:ae:US01"));
        assertThat(bindingDecision(bound, "CT01", ct)).as("DNS names match without regard to case")
                .isEqualTo(new Admission.Route("archive", "default"));
        assertThat(bindingDecision(bound, "MR_2", mr)).isEqualTo(new Admission.Route("archive", "default"));
        assertThat(bindingDecision(bound, "US01", us)).isEqualTo(new Admission.Route("archive", "default"));
        assertThat(bindingDecision(bound, "MR_2", ct)).isInstanceOfSatisfying(Admission.Refuse.class, r -> {
            assertThat(r.reject()).isEqualTo(notRecognized.reject());
            assertThat(r.why()).get().asString().contains("CT01.Radiology.example.org", "'MR_2'");
        });
        assertThat(bindingDecision(bound, "CT01", null)).isInstanceOfSatisfying(Admission.Refuse.class,
                r -> assertThat(r.why()).get().asString().contains("without a certificate"));
    }

    private static Admission bindingDecision(DicomMode mode, String calling, PeerIdentity peer) throws Exception {
        return Admission.decide(mode, "archive", Pdus.request("ARCHIVE", calling), InetAddress.getLoopbackAddress(),
                Optional.ofNullable(peer));
    }
}
