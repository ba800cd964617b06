package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DICOM over TLS through dicomlb with DCMTK (built with OpenSSL) on both sides: a TLS modality to
 * a plain archive, a plain modality to a TLS archive, TLS to TLS, every instance arriving
 * byte-identical; and the clients a TLS listener turns away: no certificate, an untrusted one, and
 * a trusted one that may not use the calling AE it claims.
 *
 * <p>DCMTK 3.6.7's default profile is the Non-downgrading BCP 195 one; dicomlb's profile (PS3.15
 * B.12) meets it in the ECDHE-RSA AES-GCM suites, which is what these tests negotiate.
 */
class TlsThroughDicomlbTest {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path pkiDir;
    static TestPki site;
    static TestPki elsewhere;
    static TestPki.Issued lbCert;
    static TestPki.Issued archiveCert;
    static TestPki.Issued ct01;
    static TestPki.Issued mr01;
    static TestPki.Issued stranger;

    @TempDir
    Path work;

    @BeforeAll
    static void certificates() {
        site = TestPki.create(pkiDir, "site");
        elsewhere = TestPki.create(pkiDir.resolve("elsewhere"), "elsewhere");
        lbCert = site.server("dicomlb", TestPki.Names.cn("dicomlb.radiology.test").dns("dicomlb.radiology.test").ip("127.0.0.1"));
        archiveCert = site.server("archive", TestPki.Names.cn("archive.radiology.test").ip("127.0.0.1"));
        ct01 = site.client("ct01", TestPki.Names.cn("CT scanner 1").dns("ct01.radiology.test"));
        mr01 = site.client("mr01", TestPki.Names.cn("MR scanner 1").dns("mr01.radiology.test"));
        stranger = elsewhere.client("stranger", TestPki.Names.cn("CT scanner 1").dns("ct01.radiology.test"));
    }

    private Tools.Result run(List<String> command) {
        return Tools.run(TOOL_TIMEOUT, work.resolve("tools"), command);
    }

    /** A dicom listener terminating TLS, clients' certificates required, CT01 bound to ct01's certificate. */
    private static String tlsListener() {
        return """
                pool: archive
                tls:
                  certificate: %s
                  key: %s
                  client-ca: %s
                  client-auth: required
                certificate-bindings:
                  - { dns: "ct01.radiology.test", calling-ae: CT01 }
                  - { dns: "mr01.radiology.test", calling-ae: ["MR01", "MR01_*"] }""".formatted(lbCert.chain(), lbCert.key(),
                site.caFile());
    }

    /** DCMTK's client options for TLS with {@code cert}, trusting the site CA. */
    private static List<String> tlsClient(TestPki.Issued cert) {
        return List.of("+tls", cert.key().toString(), cert.certificate().toString(), "-pw", "+cf", site.caFile().toString());
    }

    private List<TestInstances.Instance> instances(int n) throws Exception {
        List<TestInstances.Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Explicit VR: storescp keeps the file's own transfer syntax, so data sets compare octet for octet.
            out.add(TestInstances.secondaryCapture(work.resolve("source"), 500 + i, 256, 256 + i, false));
        }
        return out;
    }

    private Tools.Result storescu(List<String> tls, String calling, int port, List<TestInstances.Instance> instances) {
        List<String> cmd = new ArrayList<>(List.of(Dcmtk.storescu().toString(), "-v"));
        cmd.addAll(tls);
        cmd.addAll(List.of("-aet", calling, "-aec", "ARCHIVE", "127.0.0.1", Integer.toString(port)));
        instances.forEach(i -> cmd.add(i.file().toString()));
        return run(cmd);
    }

    private static void assertByteIdentical(List<TestInstances.Instance> sent, Path dir) throws Exception {
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).toList();
        }
        assertThat(files).hasSize(sent.size());
        for (TestInstances.Instance i : sent) {
            Path got = files.stream().filter(f -> uid(f).equals(i.sopInstanceUid())).findFirst().orElseThrow(
                    () -> new AssertionError("not received: " + i.sopInstanceUid()));
            assertThat(TestInstances.part10(got).dataSet()).as("data set of " + i.sopInstanceUid())
                    .isEqualTo(TestInstances.part10(i.file()).dataSet());
        }
    }

    private static String uid(Path f) {
        try {
            return TestInstances.part10(f).sopInstanceUid();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String archivePool(int port, String tls) {
        return """
                - name: archive
                  health-check: { type: dicom-echo, interval: 2s, timeout: 1500ms, rise: 1, fall: 3, called-ae: ARCHIVE }
                %s  backends:
                    - { name: storescp, address: 127.0.0.1:%d }""".formatted(tls, port);
    }

    /** dicomlb's side towards a TLS storescp: the site CA, the archive's IP checked, and a client certificate. */
    private static String poolTls() {
        return "  tls: { ca: %s, certificate: %s, key: %s }\n".formatted(site.caFile(), lbCert.chain(), lbCert.key());
    }

    @Test
    void aTlsModalityReachesAPlainArchiveAndEveryInstanceArrivesIntact() throws Exception {
        List<TestInstances.Instance> sent = instances(3);
        Path received = work.resolve("plain-archive");
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("ARCHIVE", received).with("+B"));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, tlsListener(),
                     archivePool(scp.port(), "")))) {
            Eventually.until(() -> lb.health("archive", "storescp").equals("up"), Duration.ofSeconds(20),
                    () -> lb.health("archive", "storescp"));
            Tools.Result r = storescu(tlsClient(ct01), "CT01", lb.port, sent);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).contains("Association Accepted").doesNotContain("E: ");
            String line = lb.accessLines(1).getFirst();
            assertThat(line).contains(" client_cert=\"CT scanner 1\" ", " calling_ae=CT01 ", " result=accepted ",
                    " assoc_end=released ").containsPattern(" tls=TLSv1\\.[23]/TLS_[A-Z0-9_]+ ");
        }
        assertByteIdentical(sent, received);
    }

    @Test
    void aPlainModalityReachesATlsArchiveThroughItsCheckedCertificate() throws Exception {
        List<TestInstances.Instance> sent = instances(2);
        Path received = work.resolve("tls-archive");
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("ARCHIVE", received).with("+B", "+tls",
                archiveCert.key().toString(), archiveCert.certificate().toString(), "-pw", "+cf", site.caFile().toString()));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: archive",
                     archivePool(scp.port(), poolTls())))) {
            // The C-ECHO health check speaks TLS to the archive too: up means it got through.
            Eventually.until(() -> lb.health("archive", "storescp").equals("up"), Duration.ofSeconds(20),
                    () -> lb.health("archive", "storescp") + " " + lb.healthReason("archive", "storescp"));
            Tools.Result r = storescu(List.of(), "MODALITY1", lb.port, sent);
            assertThat(r.exitCode()).as(r.toString() + "\nstorescp:\n" + scp.log()).isZero();
            assertThat(r.output()).contains("Association Accepted").doesNotContain("E: ");
            assertThat(lb.accessLines(1).getFirst()).contains(" result=accepted ", " assoc_end=released ")
                    .doesNotContain(" tls=");
        }
        assertByteIdentical(sent, received);
    }

    @Test
    void tlsToTlsEndToEnd() throws Exception {
        List<TestInstances.Instance> sent = instances(2);
        Path received = work.resolve("tls-tls");
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("ARCHIVE", received).with("+B", "+tls",
                archiveCert.key().toString(), archiveCert.certificate().toString(), "-pw", "+cf", site.caFile().toString()));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, tlsListener(),
                     archivePool(scp.port(), poolTls())))) {
            Eventually.until(() -> lb.health("archive", "storescp").equals("up"), Duration.ofSeconds(20),
                    () -> lb.health("archive", "storescp") + " " + lb.healthReason("archive", "storescp"));
            Tools.Result r = storescu(tlsClient(mr01), "MR01_3T", lb.port, sent);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).contains("Association Accepted").doesNotContain("E: ");
        }
        assertByteIdentical(sent, received);
    }

    @Test
    void anArchiveWhoseCertificateDoesNotNameItsAddressIsAFailedBackend() throws Exception {
        TestPki.Issued misnamed = site.server("misnamed", TestPki.Names.cn("other.radiology.test").dns("other.radiology.test"));
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("ARCHIVE", work.resolve("misnamed")).with("+tls",
                misnamed.key().toString(), misnamed.certificate().toString(), "-pw", "+cf", site.caFile().toString()));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: archive", """
                     - name: archive
                       health-check: none
                     %s  backends:
                         - { name: storescp, address: 127.0.0.1:%d }""".formatted(poolTls(), scp.port())))) {
            Tools.Result r = run(List.of(Dcmtk.echoscu().toString(), "-v", "-aec", "ARCHIVE", "127.0.0.1", lb.portText()));
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.output()).contains("Rejected Transient", "Temporary Congestion");
            assertThat(lb.counter("dicomlb_backend_connect_failures_total{backend=\"storescp\",pool=\"archive\",reason=\"tls\"}", 1))
                    .isGreaterThanOrEqualTo(1);
            assertThat(lb.accessLines(1).getFirst()).endsWith(" end=all_backends_failed");
        }
    }

    @Test
    void clientsWithoutAnAcceptableCertificateOrWithTheWrongAeAreTurnedAway() throws Exception {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("ARCHIVE", work.resolve("guarded")));
             LogCapture ops = new LogCapture("org.dicomlb.engine.dicom.DicomFrontend", Level.WARN);
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, tlsListener(),
                     archivePool(scp.port(), "")))) {
            Eventually.until(() -> lb.health("archive", "storescp").equals("up"), Duration.ofSeconds(20),
                    () -> lb.health("archive", "storescp"));
            List<String> echo = List.of(Dcmtk.echoscu().toString(), "-v", "-aec", "ARCHIVE");

            // No certificate at all (anonymous TLS): the handshake fails.
            List<String> anonymous = new ArrayList<>(echo);
            anonymous.addAll(List.of("+tla", "+cf", site.caFile().toString(), "-aet", "CT01", "127.0.0.1", lb.portText()));
            Tools.Result none = run(anonymous);
            assertThat(none.exitCode()).as(none.toString()).isNotZero();
            assertThat(none.output()).doesNotContain("Association Accepted");

            // A certificate from a CA the listener does not trust: the handshake fails.
            List<String> untrusted = new ArrayList<>(echo);
            untrusted.addAll(List.of("+tls", stranger.key().toString(), stranger.certificate().toString(), "-pw",
                    "+cf", site.caFile().toString(), "-aet", "CT01", "127.0.0.1", lb.portText()));
            Tools.Result foreign = run(untrusted);
            assertThat(foreign.exitCode()).as(foreign.toString()).isNotZero();
            assertThat(foreign.output()).doesNotContain("Association Accepted");

            // A trusted certificate that may not call as CT01: A-ASSOCIATE-RJ 1/1/3.
            List<String> wrongAe = new ArrayList<>(echo);
            wrongAe.addAll(tlsClient(mr01));
            wrongAe.addAll(List.of("-aet", "CT01", "127.0.0.1", lb.portText()));
            Tools.Result mismatch = run(wrongAe);
            assertThat(mismatch.exitCode()).as(mismatch.toString()).isNotZero();
            assertThat(mismatch.output()).contains("Rejected Permanent", "Calling AE Title Not Recognized");

            // The same certificate with its own AE title gets through.
            List<String> rightAe = new ArrayList<>(echo);
            rightAe.addAll(tlsClient(mr01));
            rightAe.addAll(List.of("-aet", "MR01", "127.0.0.1", lb.portText()));
            Tools.Result ok = run(rightAe);
            assertThat(ok.exitCode()).as(ok.toString()).isZero();

            List<String> lines = lb.accessLines(4);
            assertThat(lines.subList(0, 2)).allSatisfy(l -> assertThat(l).contains(" tls=- ", " end=tls_handshake")
                    .containsPattern(" tls_error=\\S"));
            assertThat(lines.get(0)).containsIgnoringCase("certificate");
            assertThat(lines.get(2)).contains(" client_cert=\"MR scanner 1\" ", " calling_ae=CT01 ", " result=rejected ",
                    " reject=1-1-3 ", " by=dicomlb ");
            assertThat(lines.get(3)).contains(" client_cert=\"MR scanner 1\" ", " calling_ae=MR01 ", " result=accepted ");
            assertThat(ops.lines()).anySatisfy(l -> assertThat(l).contains("mr01.radiology.test", "'CT01'"));
            assertThat(lb.counter("dicomlb_listener_rejected_total{listener=\"dicom\",reason=\"tls_handshake\"}", 2)).isEqualTo(2);
        }
    }
}
