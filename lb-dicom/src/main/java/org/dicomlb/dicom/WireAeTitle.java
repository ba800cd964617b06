package org.dicomlb.dicom;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The 16-byte AE title field exactly as it travelled in an A-ASSOCIATE-RQ or -AC, held as 16
 * ISO-8859-1 characters so that decode → encode reproduces the bytes. A peer may send anything
 * here (all spaces, control characters, NUL padding); a proxy has to route on it, log it and
 * relay it, so validity is a question ({@link #asAeTitle()}, {@link #problem()}), not a
 * precondition.
 */
public record WireAeTitle(String field) {
    public WireAeTitle {
        Objects.requireNonNull(field, "field");
        if (field.length() != AeTitle.WIRE_LENGTH) {
            throw new IllegalArgumentException("AE title field must be 16 characters, got " + field.length());
        }
        for (int i = 0; i < field.length(); i++) {
            if (field.charAt(i) > 0xff) {
                throw new IllegalArgumentException("AE title field holds a non-octet character at " + i);
            }
        }
    }

    public static WireAeTitle of(AeTitle title) {
        return fromWire(title.toWire());
    }

    /** Lenient decode: accepts any 16 bytes. */
    public static WireAeTitle fromWire(byte[] sixteenBytes) {
        if (sixteenBytes.length != AeTitle.WIRE_LENGTH) {
            throw new IllegalArgumentException("AE title field must be 16 bytes, got " + sixteenBytes.length);
        }
        return new WireAeTitle(new String(sixteenBytes, StandardCharsets.ISO_8859_1));
    }

    public byte[] toWire() {
        return field.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The title with surrounding spaces and NUL padding removed, with non-printable characters
     * shown as {@code \xNN}: safe to put in a log line or an error message.
     */
    public String text() {
        String t = stripPadding();
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                sb.append(c);
            } else {
                sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb.toString();
    }

    /** The title when it follows the AE rules (NUL padding tolerated), otherwise empty. */
    public Optional<AeTitle> asAeTitle() {
        return AeTitle.parse(stripPadding());
    }

    /** Why this field is not a valid AE title, or empty when it is one. */
    public Optional<String> problem() {
        return Optional.ofNullable(AeTitle.problemWith(stripPadding()));
    }

    // Some implementations pad with NUL instead of space; neither is significant.
    private String stripPadding() {
        int end = field.length();
        while (end > 0 && (field.charAt(end - 1) == ' ' || field.charAt(end - 1) == '\0')) {
            end--;
        }
        int start = 0;
        while (start < end && field.charAt(start) == ' ') {
            start++;
        }
        return field.substring(start, end);
    }

    @Override
    public String toString() {
        return text();
    }
}
