package org.dicomlb.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Builds byte arrays for tests from hex text ("01 00 00 00") and ASCII runs. */
public final class Hex {
    private Hex() {
    }

    /** Each part is a hex string (spaces ignored), a byte[] or an {@link Ascii}. */
    public static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            switch (p) {
                case String s -> out.writeBytes(HexFormat.of().parseHex(s.replaceAll("\\s+", "")));
                case byte[] b -> out.writeBytes(b);
                case Ascii a -> out.writeBytes(a.text().getBytes(StandardCharsets.ISO_8859_1));
                default -> throw new IllegalArgumentException("cannot turn " + p + " into bytes");
            }
        }
        return out.toByteArray();
    }

    public static Ascii ascii(String text) {
        return new Ascii(text);
    }

    /** {@code text} padded with spaces to 16 octets, as an AE title field. */
    public static Ascii ae(String text) {
        return new Ascii(String.format("%-16s", text));
    }

    public static String format(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    public record Ascii(String text) {
    }
}
