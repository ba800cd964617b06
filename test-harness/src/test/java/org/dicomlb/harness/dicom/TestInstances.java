package org.dicomlb.harness.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dicomlb.dicom.Uids;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.Tools;

/** Secondary Capture instances made by DCMTK's dump2dcm from a text dump this class writes. */
final class TestInstances {
    /** A UID root under 2.25 that only these tests use; the suffix makes each instance unique. */
    private static final String ROOT = "2.25.3197465801836453245";

    record Instance(Path file, String sopClassUid, String sopInstanceUid, String transferSyntax) {
    }

    private TestInstances() {
    }

    /**
     * A 16-bit monochrome image of {@code rows} x {@code columns} seeded random pixels, written
     * with implicit or explicit VR little endian.
     */
    static Instance secondaryCapture(Path dir, int index, int rows, int columns, boolean implicit) throws IOException {
        Files.createDirectories(dir);
        String sopInstance = ROOT + ".1." + index;
        Path pixels = dir.resolve("pixels-" + index + ".raw");
        byte[] data = new byte[rows * columns * 2];
        new Random(index).nextBytes(data);
        Files.write(pixels, data);
        String dump = """
                (0008,0016) UI [%s]
                (0008,0018) UI [%s]
                (0008,0020) DA [20240131]
                (0008,0060) CS [OT]
                (0008,0064) CS [WSD]
                (0010,0010) PN [Interop^Test^%d]
                (0010,0020) LO [DICOMLB-%d]
                (0020,000d) UI [%s.2.%d]
                (0020,000e) UI [%s.3.%d]
                (0020,0013) IS [%d]
                (0028,0002) US 1
                (0028,0004) CS [MONOCHROME2]
                (0028,0010) US %d
                (0028,0011) US %d
                (0028,0100) US 16
                (0028,0101) US 16
                (0028,0102) US 15
                (0028,0103) US 0
                (7fe0,0010) OW =%s
                """.formatted(Uids.SECONDARY_CAPTURE_IMAGE_STORAGE, sopInstance, index, index, ROOT, index, ROOT,
                index, index, rows, columns, pixels.getFileName());
        Path dumpFile = dir.resolve("instance-" + index + ".dump");
        Files.writeString(dumpFile, dump);
        Path out = dir.resolve("instance-" + index + ".dcm");
        Tools.Result r = Tools.run(Duration.ofSeconds(20), dir, List.of(Dcmtk.dump2dcm().toString(),
                implicit ? "+ti" : "+te", dumpFile.getFileName().toString(), out.getFileName().toString()));
        if (!r.ok()) {
            throw new IllegalStateException("dump2dcm failed: " + r);
        }
        return new Instance(out, Uids.SECONDARY_CAPTURE_IMAGE_STORAGE, sopInstance,
                implicit ? Uids.IMPLICIT_VR_LITTLE_ENDIAN : Uids.EXPLICIT_VR_LITTLE_ENDIAN);
    }

    /** What a Part 10 file says about itself, and the data set octets after its meta header. */
    record Part10(String sopInstanceUid, String transferSyntax, byte[] dataSet) {
    }

    /**
     * Reads the File Meta Information (explicit VR little endian, PS3.10 §7.1) of {@code file}:
     * the SOP Instance UID, the transfer syntax, and the octets of the data set that follows.
     */
    static Part10 part10(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 144 || !new String(all, 128, 4, StandardCharsets.US_ASCII).equals("DICM")) {
            throw new IOException(file + " is not a DICOM Part 10 file");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int at = 132;
        int end = Integer.MAX_VALUE;
        String sop = null;
        String ts = null;
        while (at < Math.min(end, all.length)) {
            int tag = (b.getShort(at) & 0xffff) << 16 | (b.getShort(at + 2) & 0xffff);
            String vr = new String(all, at + 4, 2, StandardCharsets.US_ASCII);
            boolean longForm = List.of("OB", "OW", "OF", "SQ", "UT", "UN").contains(vr);
            int length = longForm ? b.getInt(at + 8) : b.getShort(at + 6) & 0xffff;
            int value = at + (longForm ? 12 : 8);
            String text = new String(all, value, length, StandardCharsets.US_ASCII).replace("\0", "").strip();
            switch (tag) {
                case 0x00020000 -> end = value + 4 + b.getInt(value);
                case 0x00020003 -> sop = text;
                case 0x00020010 -> ts = text;
                default -> { }
            }
            at = value + length;
        }
        return new Part10(sop, ts, Arrays.copyOfRange(all, end, all.length));
    }

    /** The data set element lines dcmdump prints for {@code file} (long values in full). */
    static List<String> dataSetLines(Path file, Path workDir) {
        return dumpLines(file, workDir, false);
    }

    /** The File Meta Information element lines dcmdump prints for {@code file}. */
    static List<String> metaLines(Path file, Path workDir) {
        return dumpLines(file, workDir, true);
    }

    private static List<String> dumpLines(Path file, Path workDir, boolean meta) {
        Tools.Result r = Tools.run(Duration.ofSeconds(20), workDir, List.of(Dcmtk.dcmdump().toString(), "+L",
                file.toString()));
        if (!r.ok()) {
            throw new IllegalStateException("dcmdump could not read " + file + ": " + r);
        }
        List<String> out = new ArrayList<>();
        boolean inMeta = false;
        for (String line : r.output().split("\n")) {
            if (line.startsWith("# Dicom-Meta-Information-Header")) {
                inMeta = true;
            } else if (line.startsWith("# Dicom-Data-Set")) {
                inMeta = false;
            } else if (line.startsWith("(") && inMeta == meta) {
                out.add(line.strip());
            }
        }
        return out;
    }
}
