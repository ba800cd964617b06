package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.dimse.Status;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.scp.ReceivedInstance;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.ScpListener;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DCMTK's echoscu and storescu, which we did not write, against our simulated SCP. */
class DcmtkAgainstSimulatedScpTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    /** Collects what the SCP saw. */
    private static final class Recorder implements ScpListener {
        final List<AssociateRq> requests = new CopyOnWriteArrayList<>();
        final Map<String, ReceivedInstance> instances = new ConcurrentHashMap<>();

        @Override
        public void associationRequested(AssociateRq request, SocketAddress peer) {
            requests.add(request);
        }

        @Override
        public void instanceReceived(ReceivedInstance instance) {
            instances.put(instance.sopInstanceUid(), instance);
        }
    }

    @Test
    void echoscuSucceeds() {
        try (SimulatedScp scp = SimulatedScp.start(ScpConfig.of(AeTitle.of("SIMSCP")).withRequireCalledAe(true),
                LOOPBACK)) {
            Tools.Result r = run(Dcmtk.echoscu().toString(), "-v", "-aet", "ECHOSCU", "-aec", "SIMSCP",
                    host(scp), port(scp));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).contains("Received Echo Response (Success)");
            assertThat(scp.stats().echoes()).isOne();
            assertThat(scp.stats().releases()).isOne();
        }
    }

    @Test
    void echoscuToAnotherCalledAeIsRejectedWithCalledAeNotRecognized() {
        try (SimulatedScp scp = SimulatedScp.start(ScpConfig.of(AeTitle.of("SIMSCP")).withRequireCalledAe(true),
                LOOPBACK)) {
            Tools.Result r = run(Dcmtk.echoscu().toString(), "-aec", "NOT_HERE", host(scp), port(scp));
            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            assertThat(r.output()).contains("Rejected Permanent").contains("Called AE Title Not Recognized");
            assertThat(scp.stats().rejections()).isOne();
        }
    }

    @Test
    void storescuInstancesArriveIntactAndDcmtkReadsOurFiles() throws Exception {
        Path source = work.resolve("source");
        Path received = work.resolve("received");
        List<TestInstances.Instance> sent = List.of(
                TestInstances.secondaryCapture(source, 1, 64, 64, false),
                TestInstances.secondaryCapture(source, 2, 256, 256, true), // 128 KiB: many PDUs
                TestInstances.secondaryCapture(source, 3, 16, 16, false));
        Recorder recorder = new Recorder();
        // DCMTK's smallest receive size makes storescu fragment the pixel data the most.
        ScpConfig config = ScpConfig.of(AeTitle.of("SIMSCP")).withStorageDirectory(received).withMaxPduLength(4096);
        try (SimulatedScp scp = SimulatedScp.start(config, LOOPBACK, recorder)) {
            List<String> cmd = new ArrayList<>(List.of(Dcmtk.storescu().toString(), "-aet", "STORESCU", "-aec",
                    "SIMSCP", host(scp), port(scp)));
            sent.forEach(i -> cmd.add(i.file().toString()));
            Tools.Result r = run(cmd.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(scp.stats().stores()).isEqualTo(3);
            assertThat(scp.stats().storeFailures()).isZero();
        }

        // What storescu proposed, read back through our codec.
        assertThat(recorder.requests).singleElement().satisfies(rq -> {
            assertThat(rq.callingAe().asAeTitle()).contains(AeTitle.of("STORESCU"));
            assertThat(rq.calledAe().asAeTitle()).contains(AeTitle.of("SIMSCP"));
            assertThat(rq.applicationContext()).isEqualTo(Uids.APPLICATION_CONTEXT);
            assertThat(rq.presentationContexts()).extracting(PresentationContextRq::abstractSyntax)
                    .contains(Uids.SECONDARY_CAPTURE_IMAGE_STORAGE);
            assertThat(rq.userInformation().maxLength()).isEqualTo(16_384);
            assertThat(rq.userInformation().implementationClassUid()).hasValueSatisfying(
                    uid -> assertThat(uid).startsWith("1.2.276.0.7230010.3"));
            assertThat(rq.userInformation().implementationVersionName()).contains("OFFIS_DCMTK_367");
            assertThat(PduCodec.decode(PduCodec.encodeToArray(rq))).isEqualTo(rq);
        });

        for (TestInstances.Instance instance : sent) {
            ReceivedInstance got = recorder.instances.get(instance.sopInstanceUid());
            assertThat(got).as("received " + instance.sopInstanceUid()).isNotNull();
            assertThat(got.status()).isEqualTo(Status.SUCCESS);
            Path file = received.resolve(instance.sopInstanceUid() + ".dcm");
            assertThat(got.file()).contains(file);
            assertThat(TestInstances.dataSetLines(file, work))
                    .as("dcmdump of what our SCP wrote equals dcmdump of what storescu sent")
                    .isEqualTo(TestInstances.dataSetLines(instance.file(), work))
                    .isNotEmpty();
            assertThat(TestInstances.metaLines(file, work)).anySatisfy(l -> assertThat(l)
                    .startsWith("(0002,0003) UI [" + instance.sopInstanceUid() + "]"))
                    .anySatisfy(l -> assertThat(l).startsWith("(0002,0002) UI =SecondaryCaptureImageStorage"))
                    .anySatisfy(l -> assertThat(l).contains(got.transferSyntax().equals(Uids.IMPLICIT_VR_LITTLE_ENDIAN)
                            ? "=LittleEndianImplicit" : "=LittleEndianExplicit"))
                    .anySatisfy(l -> assertThat(l).startsWith("(0002,0016) AE [STORESCU]"));
            if (got.transferSyntax().equals(instance.transferSyntax())) {
                // Same transfer syntax on the wire as in the source file: the octets must match too.
                assertThat(dataSetOctets(file)).isEqualTo(dataSetOctets(instance.file()));
            }
        }
        try (var files = Files.list(received)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    private static byte[] dataSetOctets(Path file) throws Exception {
        return TestInstances.part10(file).dataSet();
    }

    private Tools.Result run(String... command) {
        return Tools.run(TOOL_TIMEOUT, work.resolve("tools"), List.of(command));
    }

    private static String host(SimulatedScp scp) {
        return scp.localAddress().getAddress().getHostAddress();
    }

    private static String port(SimulatedScp scp) {
        return Integer.toString(scp.localAddress().getPort());
    }
}
