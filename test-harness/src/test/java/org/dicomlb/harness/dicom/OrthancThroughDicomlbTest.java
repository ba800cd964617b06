package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.Orthanc;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orthanc (Debian package), which we did not write, as the archive behind dicomlb. It checks the
 * called AE (DicomCheckCalledAet), so the modality's title for the VIP only works because
 * dicomlb readdresses the request; what was sent must then be in Orthanc, as its REST API says.
 */
class OrthancThroughDicomlbTest {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void instancesSentThroughDicomlbAreInOrthanc() throws Exception {
        List<TestInstances.Instance> instances = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            instances.add(TestInstances.secondaryCapture(work.resolve("source"), 500 + i, 64 << i % 3, 64, i % 2 == 0));
        }
        try (Orthanc orthanc = Orthanc.startWithRestApi("ORTHANC", true, work.resolve("orthanc"));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: pacs", """
                     - name: pacs
                       backends:
                         - { name: orthanc, address: 127.0.0.1:%d, called-ae: ORTHANC }"""
                     .formatted(orthanc.address().getPort())))) {
            Tools.Result direct = run(Dcmtk.echoscu().toString(), "-aec", "VIP", "127.0.0.1",
                    Integer.toString(orthanc.address().getPort()));
            assertThat(direct.output()).as("Orthanc itself refuses the VIP's title: " + direct)
                    .contains("Rejected Permanent", "Called AE Title Not Recognized");

            List<String> cmd = new ArrayList<>(List.of(Dcmtk.storescu().toString(), "-v", "-aet", "MODALITY1",
                    "-aec", "VIP", "127.0.0.1", lb.portText()));
            instances.forEach(i -> cmd.add(i.file().toString()));
            Tools.Result r = run(cmd.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).doesNotContain("E: ");

            for (TestInstances.Instance i : instances) {
                HttpResponse<String> found = orthanc.rest("/tools/lookup", i.sopInstanceUid());
                assertThat(found.statusCode()).isEqualTo(200);
                assertThat(found.body()).as("Orthanc's lookup of " + i.sopInstanceUid()).contains("\"Instance\"");
            }
            HttpResponse<String> stats = orthanc.rest("/statistics", null);
            assertThat(stats.body().replace(" ", "")).contains("\"CountInstances\":5");
            assertThat(lb.accessLines(1)).singleElement().asString().contains(" backend=orthanc ",
                    " calling_ae=MODALITY1 called_ae=VIP called_ae_sent=ORTHANC ", " result=accepted ", " assoc_end=released ");
        }
    }

    private Tools.Result run(String... command) {
        return Tools.run(TOOL_TIMEOUT, work.resolve("tools"), List.of(command));
    }
}
