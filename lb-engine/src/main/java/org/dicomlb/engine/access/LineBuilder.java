package org.dicomlb.engine.access;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An access-log line built as the UTF-8 bytes the writer puts in the file: each value is checked
 * for quoting while it is copied, in one pass, and numbers are written as digits without a
 * string in between. One per event loop ({@link #get}), reused line after line; the finished
 * line is copied out, into the access-log writer's buffer ({@link #bytes()}) or at its exact
 * length ({@link #finish()}). Keeping the line in a {@code StringBuilder} cost a scan
 * of every value before copying it, a string per number, the string of the line and, on the
 * writer thread, its encoding again.
 */
final class LineBuilder {
    /** A longer line (long quoted paths) leaves a fresh builder behind rather than keeping the grown one. */
    private static final int KEPT_BYTES = 4096;
    private static final ThreadLocal<LineBuilder> LINE = ThreadLocal.withInitial(LineBuilder::new);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf = new byte[512];
    private int len;

    /** This thread's builder, emptied. */
    static LineBuilder get() {
        LineBuilder b = LINE.get();
        b.len = 0;
        return b;
    }

    /** The line so far, at its exact length; the builder is dropped if a long line grew it. */
    byte[] finish() {
        byte[] line = Arrays.copyOf(buf, len);
        release();
        return line;
    }

    /** The line's bytes: {@code bytes()[0 .. length()]}, valid until this thread's next line. */
    byte[] bytes() {
        return buf;
    }

    int length() {
        return len;
    }

    /** Done with the line read through {@link #bytes()}: the builder is dropped if a long line grew it. */
    void release() {
        if (buf.length > KEPT_BYTES) {
            LINE.remove();
        }
    }

    /** {@code " key="} as bytes, for {@link #ascii(byte[])}: a key every line has, made once. */
    static byte[] keyBytes(String key) {
        return (" " + key + "=").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code " key="}: keys are the code's own ASCII names. */
    LineBuilder key(String key) {
        return ascii(' ').ascii(key).ascii('=');
    }

    /**
     * A value as docs/access-log.md gives it: {@code -} when absent or empty; as it is when it
     * holds only printable ASCII other than space, {@code "} and {@code \}; otherwise quoted, with
     * {@code "} and {@code \} escaped, control characters as {@code \xNN} and the rest in UTF-8.
     */
    LineBuilder value(String v) {
        if (v == null || v.isEmpty()) {
            ensure(1);
            buf[len++] = '-';
            return this;
        }
        int n = v.length();
        ensure(n);
        byte[] b = buf;
        int at = len;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\') {
                return quoted(v);
            }
            b[at + i] = (byte) c;
        }
        len = at + n;
        return this;
    }

    private LineBuilder quoted(String v) {
        int n = v.length();
        // Worst case: every character escaped as \xNN, or 3 bytes of UTF-8; plus the quotes.
        ensure(4 * n + 2);
        buf[len++] = '"';
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                buf[len++] = '\\';
                buf[len++] = (byte) c;
            } else if (c < ' ' || c == 0x7f) {
                buf[len++] = '\\';
                buf[len++] = 'x';
                buf[len++] = HEX[c >> 4];
                buf[len++] = HEX[c & 0xf];
            } else if (c < 0x80) {
                buf[len++] = (byte) c;
            } else if (c < 0x800) {
                buf[len++] = (byte) (0xc0 | c >> 6);
                buf[len++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(v.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, v.charAt(++i));
                buf[len++] = (byte) (0xf0 | cp >> 18);
                buf[len++] = (byte) (0x80 | cp >> 12 & 0x3f);
                buf[len++] = (byte) (0x80 | cp >> 6 & 0x3f);
                buf[len++] = (byte) (0x80 | cp & 0x3f);
            } else if (Character.isSurrogate(c)) {
                // A lone surrogate is no character: '?', as Java's own UTF-8 encoder writes it.
                buf[len++] = '?';
            } else {
                buf[len++] = (byte) (0xe0 | c >> 12);
                buf[len++] = (byte) (0x80 | c >> 6 & 0x3f);
                buf[len++] = (byte) (0x80 | c & 0x3f);
            }
        }
        buf[len++] = '"';
        return this;
    }

    /** A number in decimal. */
    LineBuilder number(long v) {
        if (v == Long.MIN_VALUE) {
            return ascii(Long.toString(v));
        }
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long rest = v / 10; rest != 0; rest /= 10) {
            digits++;
        }
        int at = len + digits;
        len = at;
        do {
            buf[--at] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        return this;
    }

    /** Text the caller knows to be ASCII and safe unquoted (keys, the time stamp). */
    LineBuilder ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    LineBuilder ascii(byte[] s) {
        ensure(s.length);
        System.arraycopy(s, 0, buf, len, s.length);
        len += s.length;
        return this;
    }

    LineBuilder ascii(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
