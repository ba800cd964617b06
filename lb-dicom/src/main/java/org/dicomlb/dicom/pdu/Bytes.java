package org.dicomlb.dicom.pdu;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of octets with value equality, for the opaque fields of a PDU (PDV
 * fragments, user identity, application information, unknown sub-items). The array is copied
 * in and out so that a record holding it stays a value.
 */
public record Bytes(byte[] array) {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    public Bytes {
        array = array.clone();
    }

    public static Bytes of(byte... bytes) {
        return new Bytes(bytes);
    }

    /** A copy of the octets. */
    @Override
    public byte[] array() {
        return array.clone();
    }

    public int length() {
        return array.length;
    }

    public byte get(int index) {
        return array[index];
    }

    /** Writes the octets to {@code out} without an intermediate copy. */
    public void writeTo(io.netty.buffer.ByteBuf out) {
        out.writeBytes(array);
    }

    /** A read-only view of the octets, for consumers that must not pay for a copy. */
    public java.nio.ByteBuffer asReadOnlyBuffer() {
        return java.nio.ByteBuffer.wrap(array).asReadOnlyBuffer();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(array, b.array);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(array);
    }

    @Override
    public String toString() {
        if (array.length <= 32) {
            return "Bytes[" + HexFormat.of().formatHex(array) + "]";
        }
        return "Bytes[" + array.length + " octets, " + HexFormat.of().formatHex(array, 0, 16) + "...]";
    }
}
