package org.dicomlb.harness.bench.peer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;

/**
 * Generates DICOM Part 10 files with DCMTK's {@code dump2dcm}: a Secondary Capture image of
 * 16-bit pixels whose size is chosen to match a real modality's instance (a CT slice, a CR/DX
 * image, a mammogram). Pixel values are a fixed pattern; nothing on the path compresses.
 */
public final class DicomInstances {
    /** Secondary Capture Image Storage: accepted by storescp's default configuration. */
    private static final String SOP_CLASS = "1.2.840.10008.5.1.4.1.1.7";
    /** A UID root for instances that only ever exist inside a benchmark run. */
    private static final String UID_ROOT = "1.2.826.0.1.3680043.10.1137.";

    private DicomInstances() {
    }

    /** One instance size: {@code rows} × {@code columns} 16-bit pixels. */
    public record Size(String label, int rows, int columns) {
        public Size {
            if (rows < 1 || columns < 1 || (long) rows * columns * 2 > Integer.MAX_VALUE - 4096) {
                throw new IllegalArgumentException("instance size " + rows + "×" + columns + " out of range");
            }
        }

        public long pixelBytes() {
            return (long) rows * columns * 2;
        }
    }

    /** Writes one instance of {@code size} under {@code dir} and returns its path. */
    public static Path generate(BenchContext ctx, Path dir, Size size, int index) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path pixels = dir.resolve(size.label() + ".raw");
        try (OutputStream out = Files.newOutputStream(pixels)) {
            byte[] row = new byte[size.columns() * 2];
            for (int i = 0; i < row.length; i++) {
                row[i] = (byte) (i * 31);
            }
            for (int r = 0; r < size.rows(); r++) {
                out.write(row);
            }
        }
        String uid = UID_ROOT + ProcessHandle.current().pid() + "." + index;
        String dump = """
                (0002,0010) UI =LittleEndianExplicit
                (0008,0016) UI [%1$s]
                (0008,0018) UI [%2$s.3]
                (0008,0060) CS [OT]
                (0010,0010) PN [Bench^%3$s]
                (0010,0020) LO [BENCH]
                (0020,000d) UI [%2$s.1]
                (0020,000e) UI [%2$s.2]
                (0028,0002) US 1
                (0028,0004) CS [MONOCHROME2]
                (0028,0010) US %4$d
                (0028,0011) US %5$d
                (0028,0100) US 16
                (0028,0101) US 16
                (0028,0102) US 15
                (0028,0103) US 0
                (7fe0,0010) OW =%6$s
                """.formatted(SOP_CLASS, uid, size.label(), size.rows(), size.columns(), pixels);
        Path dumpFile = dir.resolve(size.label() + ".dump");
        Files.writeString(dumpFile, dump);
        Path dcm = dir.resolve(size.label() + ".dcm");
        // +te: explicit VR little endian, what storescu then proposes and storescp accepts by default.
        ctx.children().runOk(List.of("dump2dcm", "+te", dumpFile.toString(), dcm.toString()), Map.of(),
                Duration.ofSeconds(60), dir);
        Files.delete(pixels);
        return dcm;
    }
}
