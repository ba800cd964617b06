package org.dicomlb.dicom;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * An application entity title we configure or send: 1 to 16 printable ASCII characters without
 * backslash, leading and trailing spaces removed (PS3.5 AE value representation). Titles read
 * from the wire may break these rules; they arrive as {@link WireAeTitle} so that a proxy can
 * report a bad title instead of failing to decode the PDU.
 */
public record AeTitle(String value) {
    /** Width of the AE title fields in A-ASSOCIATE-RQ/AC PDUs. */
    public static final int WIRE_LENGTH = 16;

    public AeTitle {
        Objects.requireNonNull(value, "AE title");
        String problem = problemWith(value);
        if (problem != null) {
            throw new IllegalArgumentException("invalid AE title '" + value + "': " + problem);
        }
        value = trimSpaces(value);
    }

    public static AeTitle of(String value) {
        return new AeTitle(value);
    }

    /** The title, or empty when {@code value} breaks the AE rules; for input we must not trust. */
    public static Optional<AeTitle> parse(String value) {
        return value == null || problemWith(value) != null ? Optional.empty() : Optional.of(new AeTitle(value));
    }

    /**
     * Why {@code value} is not a valid AE title, or {@code null} when it is. Spaces around the
     * title are not significant, so they are not counted against the 16-character limit.
     */
    public static String problemWith(String value) {
        String t = trimSpaces(value);
        if (t.isEmpty()) {
            return value.isEmpty() ? "empty" : "all spaces";
        }
        if (t.length() > WIRE_LENGTH) {
            return "longer than 16 characters";
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "character " + String.format("0x%02x", (int) c) + " at position " + (i + 1)
                        + " is not printable ASCII";
            }
            if (c == '\\') {
                return "backslash is not allowed";
            }
        }
        return null;
    }

    /** The 16-byte field as sent in an A-ASSOCIATE PDU: the title followed by spaces. */
    public byte[] toWire() {
        byte[] out = new byte[WIRE_LENGTH];
        java.util.Arrays.fill(out, (byte) ' ');
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    static String trimSpaces(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == ' ') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(start, end);
    }

    @Override
    public String toString() {
        return value;
    }
}
