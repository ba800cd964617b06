package org.dicomlb.harness.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomlb.harness.bench.process.Children;

/**
 * DICOM instances with unique SOP Instance UIDs, made cheaply: DCMTK's {@code dump2dcm} writes
 * one Secondary Capture template whose SOP Instance UID ends in a fixed-width run of digits, and
 * each instance is that file with the digits replaced, in the file meta information (0002,0003)
 * and in the data set (0008,0018). Same length, so no length field changes.
 *
 * <p>The UID is {@code ROOT.RUN.1NNNNNNNNNNN}: {@code RUN} is the run's start time in seconds, so
 * two runs (soaks, drills) never share a UID, and the last component starts with 1 (a UID
 * component must not have a leading zero). Within a run, every sender draws from one
 * {@code Instances} (its counter is atomic), so no two senders share a UID either.
 */
public final class Instances {
    /** Secondary Capture Image Storage, which storescp accepts by default. */
    private static final String SOP_CLASS = "1.2.840.10008.5.1.4.1.1.7";
    private static final String ROOT = "1.2.826.0.1.3680043.10.1137.9.";
    private static final int DIGITS = 11;
    private static final long MAX_INSTANCES = 99_999_999_999L;
    /** 96×96 16-bit pixels: 18 KiB, two P-DATA-TF PDUs at DCMTK's default 16 KiB. */
    private static final int ROWS = 96;
    private static final int COLUMNS = 96;

    private final byte[] template;
    private final List<Integer> offsets;
    private final String prefix;
    private final AtomicLong next = new AtomicLong();

    private Instances(byte[] template, List<Integer> offsets, String prefix) {
        this.template = template;
        this.offsets = List.copyOf(offsets);
        this.prefix = prefix;
    }

    /** Writes the template with {@code dump2dcm} under {@code dir}. */
    public static Instances create(Children children, Path dir, long runId) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String prefix = ROOT + runId + ".";
        String placeholder = prefix + "1" + "0".repeat(DIGITS);
        // dump2dcm reads the pixel data from a raw file (a value list that long exceeds its line limit).
        byte[] raw = new byte[ROWS * COLUMNS * 2];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 31);
        }
        Path pixels = dir.resolve("pixels.raw");
        Files.write(pixels, raw);
        String dump = """
                (0002,0010) UI =LittleEndianExplicit
                (0008,0016) UI [%1$s]
                (0008,0018) UI [%2$s]
                (0008,0060) CS [OT]
                (0010,0010) PN [Soak^Instance]
                (0010,0020) LO [SOAK]
                (0020,000d) UI [%3$s1]
                (0020,000e) UI [%3$s2]
                (0028,0002) US 1
                (0028,0004) CS [MONOCHROME2]
                (0028,0010) US %4$d
                (0028,0011) US %5$d
                (0028,0100) US 16
                (0028,0101) US 16
                (0028,0102) US 15
                (0028,0103) US 0
                (7fe0,0010) OW =%6$s
                """.formatted(SOP_CLASS, placeholder, prefix, ROWS, COLUMNS, pixels);
        Path dumpFile = dir.resolve("template.dump");
        Path dcm = dir.resolve("template.dcm");
        Files.writeString(dumpFile, dump);
        // +te: explicit VR little endian, which storescu proposes and storescp accepts as is.
        children.runOk(List.of("dump2dcm", "+te", dumpFile.toString(), dcm.toString()), Map.of(), Duration.ofSeconds(60), dir);
        if (!Files.isRegularFile(dcm)) {
            throw new IOException("dump2dcm wrote no " + dcm + " from " + dumpFile);
        }
        byte[] bytes = Files.readAllBytes(dcm);
        List<Integer> at = find(bytes, placeholder.getBytes(StandardCharsets.US_ASCII));
        if (at.size() != 2) {
            throw new IOException("dump2dcm's template has the SOP Instance UID " + at.size()
                    + " times, expected twice (file meta and data set): " + dcm);
        }
        List<Integer> digitOffsets = at.stream().map(o -> o + prefix.length() + 1).toList();
        return new Instances(bytes, digitOffsets, prefix);
    }

    /** One written instance. */
    public record Instance(String uid, Path file) {
    }

    /** Writes the next {@code count} instances under {@code dir}, each file named by its UID. */
    public List<Instance> write(Path dir, int count) throws IOException {
        List<Instance> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long n = next.incrementAndGet();
            if (n > MAX_INSTANCES) {
                throw new IllegalStateException("more than " + MAX_INSTANCES + " instances in one soak");
            }
            String digits = String.format("%0" + DIGITS + "d", n);
            byte[] d = template.clone();
            for (int off : offsets) {
                System.arraycopy(digits.getBytes(StandardCharsets.US_ASCII), 0, d, off, DIGITS);
            }
            String uid = prefix + "1" + digits;
            Path file = dir.resolve(uid + ".dcm");
            Files.write(file, d);
            out.add(new Instance(uid, file));
        }
        return out;
    }

    private static List<Integer> find(byte[] hay, byte[] needle) {
        List<Integer> at = new ArrayList<>();
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            at.add(i);
        }
        return at;
    }
}
