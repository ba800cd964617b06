package org.dicomlb.dicom.scp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.dimse.Status;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SCP over a real loopback socket, writing Part 10 files (DCMTK reads them in test-harness). */
class SimulatedScpStorageTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";

    @TempDir
    Path dir;

    @Test
    void writesEachInstanceAsAPart10FileNamedByItsUid() throws Exception {
        List<ReceivedInstance> received = new CopyOnWriteArrayList<>();
        ScpConfig config = ScpConfig.of(AeTitle.of("SIMSCP")).withStorageDirectory(dir).withMaxPduLength(4096);
        byte[] big = new byte[100_000];
        new Random(3).nextBytes(big);
        byte[] small = "tiny data set".getBytes(StandardCharsets.US_ASCII);
        try (SimulatedScp scp = SimulatedScp.start(config, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ScpListener() {
                    @Override
                    public void instanceReceived(ReceivedInstance instance) {
                        received.add(instance);
                    }
                });
                BlockingStoreScu scu = new BlockingStoreScu(scp.localAddress())) {
            scu.associate(AeTitle.of("SIMSCP"), AeTitle.of("CT01"),
                    PresentationContextRq.of(1, CT, Uids.EXPLICIT_VR_LITTLE_ENDIAN),
                    PresentationContextRq.of(3, CT, Uids.IMPLICIT_VR_LITTLE_ENDIAN));
            assertThat(scu.store(1, CT, "1.2.3.100", big).status()).hasValue(Status.SUCCESS);
            assertThat(scu.store(3, CT, "1.2.3.101", small).status()).hasValue(Status.SUCCESS);
            scu.release();
            assertThat(scp.stats().stores()).isEqualTo(2);
            assertThat(scp.stats().bytes()).isEqualTo(big.length + small.length);
        }
        assertThat(received).extracting(ReceivedInstance::file).allSatisfy(f -> assertThat(f).isPresent());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("1.2.3.100.dcm", "1.2.3.101.dcm");
        }
        assertPart10(dir.resolve("1.2.3.100.dcm"), CT, "1.2.3.100", Uids.EXPLICIT_VR_LITTLE_ENDIAN, big);
        assertPart10(dir.resolve("1.2.3.101.dcm"), CT, "1.2.3.101", Uids.IMPLICIT_VR_LITTLE_ENDIAN, small);
    }

    /** Reads the File Meta Information by hand (explicit VR LE) and compares the data set octets. */
    private static void assertPart10(Path file, String sopClass, String sopInstance, String ts, byte[] dataSet)
            throws Exception {
        byte[] all = Files.readAllBytes(file);
        assertThat(Arrays.copyOf(all, 128)).containsOnly(0);
        assertThat(new String(all, 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");
        ByteBuffer b = ByteBuffer.wrap(all, 132, all.length - 132).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getShort()).isEqualTo((short) 2);
        assertThat(b.getShort()).isZero();
        assertThat(new String(new byte[] {b.get(), b.get()}, StandardCharsets.US_ASCII)).isEqualTo("UL");
        assertThat(b.getShort()).isEqualTo((short) 4);
        int groupLength = b.getInt();
        int dataStart = b.position() + groupLength;
        Map<Integer, String> meta = new LinkedHashMap<>();
        while (b.position() < dataStart) {
            int group = b.getShort() & 0xffff;
            int element = b.getShort() & 0xffff;
            assertThat(group).isEqualTo(2);
            String vr = new String(new byte[] {b.get(), b.get()}, StandardCharsets.US_ASCII);
            int length;
            if (vr.equals("OB")) {
                b.getShort();
                length = b.getInt();
            } else {
                length = b.getShort() & 0xffff;
            }
            assertThat(length % 2).as("even value length").isZero();
            byte[] v = new byte[length];
            b.get(v);
            meta.put(element, new String(v, StandardCharsets.ISO_8859_1).replace("\0", "").strip());
        }
        assertThat(meta).containsEntry(0x0001, "\u0001").containsEntry(0x0002, sopClass)
                .containsEntry(0x0003, sopInstance).containsEntry(0x0010, ts)
                .containsEntry(0x0012, Uids.IMPLEMENTATION_CLASS_UID).containsEntry(0x0016, "CT01");
        assertThat(Arrays.copyOfRange(all, dataStart, all.length)).isEqualTo(dataSet);
    }
}
