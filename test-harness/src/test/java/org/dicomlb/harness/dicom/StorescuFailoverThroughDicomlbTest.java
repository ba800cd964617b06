package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.dicom.Uids;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The business promise on real software: DCMTK's storescu sends 210 instances (512 octets to
 * 4 MB) through dicomlb to two forking storescp archives, one archive is killed halfway, and
 * every instance still arrives exactly once and byte-identical. Each batch is its own storescu
 * association, so associations after the kill meet the dead archive and fail over.
 */
class StorescuFailoverThroughDicomlbTest {
    private static final int INSTANCES = 210;
    private static final int PER_ASSOCIATION = 10;
    /** Image sides in pixels (16-bit): 512 B to 2 MB, and every 35th instance about 3.9 MB. */
    private static final int[] SIDES = {16, 32, 64, 128, 256, 16, 64, 128, 512, 1024};

    @TempDir
    Path work;

    @Test
    void everyInstanceArrivesOnceAndIntactWhenAnArchiveDiesHalfway() throws Exception {
        Path source = work.resolve("source");
        List<TestInstances.Instance> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            int side = i % 35 == 34 ? 1400 : SIDES[i % SIDES.length];
            // Explicit VR: what storescp prefers, so the instance travels in the file's own transfer syntax.
            instances.add(TestInstances.secondaryCapture(source, 1000 + i, side, side, false));
        }
        Path dirA = work.resolve("archive-a");
        Path dirB = work.resolve("archive-b");
        List<Tools.Result> runs = new ArrayList<>();
        // +B: storescp writes each data set exactly as it came off the wire.
        StoreScp a = StoreScp.start(StoreScp.Options.of("ARCHIVE_A", dirA).forking().with("+B"));
        try (StoreScp b = StoreScp.start(StoreScp.Options.of("ARCHIVE_B", dirB).forking().with("+B"));
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, """
                     pool: archive
                     timeouts: { connect: 1s, associate: 10s }""", """
                     - name: archive
                       balance: roundrobin
                       retries: 2
                       backends:
                         - { name: a, address: 127.0.0.1:%d }
                         - { name: b, address: 127.0.0.1:%d }""".formatted(a.port(), b.port())))) {
            int associations = INSTANCES / PER_ASSOCIATION;
            for (int n = 0; n < associations; n++) {
                if (n == associations / 2) {
                    a.close();
                }
                int first = n * PER_ASSOCIATION;
                List<String> cmd = new ArrayList<>(List.of(Dcmtk.storescu().toString(), "-v", "-aet", "MODALITY1",
                        "-aec", "ARCHIVE", "127.0.0.1", lb.portText()));
                instances.subList(first, first + PER_ASSOCIATION)
                        .forEach(i -> cmd.add(i.file().toString()));
                runs.add(Tools.run(Duration.ofSeconds(60), work.resolve("tools"), cmd));
            }
            List<String> lines = lb.accessLines(runs.size());
            assertThat(lines).hasSize(associations).allSatisfy(l -> assertThat(l)
                    .contains(" result=accepted ", " assoc_end=released "));
            assertThat(lines.subList(0, runs.size() / 2)).anySatisfy(l -> assertThat(l).contains(" backend=a "));
            assertThat(lines.subList(runs.size() / 2, runs.size())).allSatisfy(l -> assertThat(l).contains(" backend=b "))
                    .as("associations that met the dead archive first").anySatisfy(l -> assertThat(l).contains(" attempts=2 "));
        } finally {
            a.close();
        }

        for (Tools.Result r : runs) {
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).as(r.toString()).doesNotContain("Association Rejected", "Association Aborted", "E: ")
                    .contains("Association Accepted");
        }
        Map<String, Path> received = new HashMap<>();
        for (Path dir : List.of(dirA, dirB)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Path earlier = received.put(TestInstances.part10(f).sopInstanceUid(), f);
                    assertThat(earlier).as("stored twice: " + f).isNull();
                }
            }
        }
        assertThat(received).hasSize(INSTANCES);
        for (TestInstances.Instance sent : instances) {
            Path got = received.get(sent.sopInstanceUid());
            assertThat(got).as("received " + sent.sopInstanceUid()).isNotNull();
            TestInstances.Part10 in = TestInstances.part10(got);
            assertThat(in.transferSyntax()).isEqualTo(Uids.EXPLICIT_VR_LITTLE_ENDIAN);
            assertThat(in.dataSet()).as("data set of " + sent.sopInstanceUid())
                    .isEqualTo(TestInstances.part10(sent.file()).dataSet());
        }
    }
}
