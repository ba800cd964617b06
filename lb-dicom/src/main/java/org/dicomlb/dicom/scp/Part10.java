package org.dicomlb.dicom.scp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;

/**
 * The head of a DICOM Part 10 file (PS3.10 §7.1): 128-octet preamble, "DICM", and the File
 * Meta Information group 0002 in explicit VR little endian. The data set follows as received,
 * in the transfer syntax named by (0002,0010).
 */
final class Part10 {
    private Part10() {
    }

    static byte[] header(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, Optional<AeTitle> sourceAe) {
        ByteArrayOutputStream meta = new ByteArrayOutputStream(256);
        // (0002,0001) File Meta Information Version: OB, 0x00 0x01.
        writeTag(meta, 0x0001);
        meta.writeBytes(new byte[] {'O', 'B', 0, 0});
        writeLe(meta, 2, 4);
        meta.writeBytes(new byte[] {0, 1});
        writeShort(meta, 0x0002, "UI", sopClassUid, (byte) 0);
        writeShort(meta, 0x0003, "UI", sopInstanceUid, (byte) 0);
        writeShort(meta, 0x0010, "UI", transferSyntaxUid, (byte) 0);
        writeShort(meta, 0x0012, "UI", Uids.IMPLEMENTATION_CLASS_UID, (byte) 0);
        writeShort(meta, 0x0013, "SH", Uids.IMPLEMENTATION_VERSION_NAME, (byte) ' ');
        sourceAe.ifPresent(ae -> writeShort(meta, 0x0016, "AE", ae.value(), (byte) ' '));

        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 4 + 12 + meta.size());
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        // (0002,0000) File Meta Information Group Length: UL, the octets after this element.
        writeTag(out, 0x0000);
        out.writeBytes(new byte[] {'U', 'L'});
        writeLe(out, 4, 2);
        writeLe(out, meta.size(), 4);
        out.writeBytes(meta.toByteArray());
        return out.toByteArray();
    }

    /** An element with a 16-bit length, value padded to even length with {@code pad}. */
    private static void writeShort(ByteArrayOutputStream out, int element, String vr, String value, byte pad) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        int length = v.length + (v.length & 1);
        writeTag(out, element);
        out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        writeLe(out, length, 2);
        out.writeBytes(v);
        if (length != v.length) {
            out.write(pad);
        }
    }

    private static void writeTag(ByteArrayOutputStream out, int element) {
        writeLe(out, 0x0002, 2);
        writeLe(out, element, 2);
    }

    private static void writeLe(ByteArrayOutputStream out, long value, int octets) {
        for (int i = 0; i < octets; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }
}
