package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.FreePorts;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DCMTK's echoscu, storescu and storescp, which we did not write, on both sides of a dicom
 * listener: what a modality sees through dicomlb (success, "Rejected Transient" when nothing can
 * serve it, "Rejected Permanent" for a calling AE it may not use) and where its data lands.
 */
class DcmtkThroughDicomlbTest {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    private Tools.Result run(List<String> command) {
        return Tools.run(TOOL_TIMEOUT, work.resolve("tools"), command);
    }

    private Tools.Result echoscu(DicomlbUnderTest lb, String calling, String called) {
        return run(List.of(Dcmtk.echoscu().toString(), "-v", "-aet", calling, "-aec", called, "127.0.0.1", lb.portText()));
    }

    private static String backend(String name, InetSocketAddress at, String extra) {
        return "- { name: " + name + ", address: 127.0.0.1:" + at.getPort() + extra + " }";
    }

    @Test
    void echoscuReachesStorescpThroughDicomlb() throws Exception {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", work.resolve("scp")));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: archive",
                     "- name: archive\n  backends:\n    " + backend("storescp", scp.address(), "")))) {
            Tools.Result r = echoscu(lb, "MODALITY1", "STORESCP");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).contains("Association Accepted", "Received Echo Response (Success)");
            assertThat(lb.accessLines(1)).singleElement().asString().contains(" backend=storescp ",
                    " calling_ae=MODALITY1 called_ae=STORESCP ", " result=accepted ", " assoc_end=released ");
        }
    }

    @Test
    void withNoBackendUpEchoscuIsRejectedTransient() throws Exception {
        int closedPort = FreePorts.pick(); // nothing listens there
        try (DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: archive",
                "- name: archive\n  backends:\n    - { name: down, address: 127.0.0.1:" + closedPort + " }"))) {
            Tools.Result r = echoscu(lb, "MODALITY1", "ARCHIVE");
            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            assertThat(r.output()).contains("Association Rejected", "Rejected Transient", "Temporary Congestion");
        }
    }

    @Test
    void aCallingAeOutsideTheAllowListIsRejectedPermanent() throws Exception {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", work.resolve("scp")));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port,
                     "pool: archive\nallowed-calling-aes: [\"CT*\"]",
                     "- name: archive\n  backends:\n    " + backend("storescp", scp.address(), "")))) {
            assertThat(echoscu(lb, "CT01", "STORESCP").exitCode()).isZero();
            Tools.Result r = echoscu(lb, "MODALITY1", "STORESCP");
            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            assertThat(r.output()).contains("Rejected Permanent", "Calling AE Title Not Recognized");
        }
    }

    /** storescp accepts any called AE (3.6.7 has no option to check it), so routing is seen in its output directory. */
    @Test
    void routingByCalledAeSendsToDifferentStorescps() throws Exception {
        Path source = work.resolve("source");
        TestInstances.Instance forArchive = TestInstances.secondaryCapture(source, 1, 32, 32, false);
        TestInstances.Instance forQr = TestInstances.secondaryCapture(source, 2, 32, 32, false);
        Path dirA = work.resolve("archive");
        Path dirB = work.resolve("qr");
        try (StoreScp a = StoreScp.start(StoreScp.Options.of("ARCHIVE", dirA));
             StoreScp b = StoreScp.start(StoreScp.Options.of("QR_SCP", dirB));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, """
                     pool: archive
                     routes:
                       - { called-ae: "QR_*", pool: qr }""",
                     "- name: archive\n  backends:\n    " + backend("a", a.address(), "")
                             + "\n- name: qr\n  backends:\n    " + backend("b", b.address(), "")))) {
            assertThat(run(List.of(Dcmtk.storescu().toString(), "-aec", "ARCHIVE", "127.0.0.1", lb.portText(),
                    forArchive.file().toString())).exitCode()).isZero();
            assertThat(run(List.of(Dcmtk.storescu().toString(), "-aec", "QR_MAIN", "127.0.0.1", lb.portText(),
                    forQr.file().toString())).exitCode()).isZero();
        }
        assertThat(receivedUids(dirA)).containsExactly(forArchive.sopInstanceUid());
        assertThat(receivedUids(dirB)).containsExactly(forQr.sopInstanceUid());
    }

    /** Our simulated SCP refuses any other called AE; the rewrite makes a modality's "VIP" title acceptable. */
    @Test
    void theCalledAeIsRewrittenForABackendThatChecksItsOwnTitle() throws Exception {
        try (SimulatedScp strict = SimulatedScp.start(ScpConfig.of(AeTitle.of("ARCHIVE1")).withRequireCalledAe(true),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: archive",
                     "- name: archive\n  backends:\n    " + backend("strict", strict.localAddress(), ", called-ae: ARCHIVE1")))) {
            Tools.Result direct = run(List.of(Dcmtk.echoscu().toString(), "-aec", "VIP", "127.0.0.1",
                    Integer.toString(strict.localAddress().getPort())));
            assertThat(direct.output()).as("without dicomlb the backend refuses the VIP's title")
                    .contains("Rejected Permanent", "Called AE Title Not Recognized");

            Tools.Result r = echoscu(lb, "MODALITY1", "VIP");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).contains("Received Echo Response (Success)");
            assertThat(lb.accessLines(1)).singleElement().asString()
                    .contains(" called_ae=VIP called_ae_sent=ARCHIVE1 ", " result=accepted ");
        }
    }

    static List<String> receivedUids(Path dir) throws Exception {
        List<String> uids = new ArrayList<>();
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                uids.add(TestInstances.part10(f).sopInstanceUid());
            }
        }
        return uids;
    }
}
