package org.dicomlb.engine.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LineBuilderTest {
    /** docs/access-log.md's quoting rule, spelled the plain way: what the bytes must equal. */
    private static String expected(String v) {
        if (v == null || v.isEmpty()) {
            return "-";
        }
        boolean quote = v.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\' || c >= 0x7f);
        if (!quote) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < ' ' || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static byte[] built(String v) {
        return LineBuilder.get().value(v).finish();
    }

    @Test
    void valuesEqualTheDocumentedQuotingInUtf8() {
        String[] samples = {"ARCHIVE", "/1k.bin", "CT 01", "A\"B\\C", "tab\there", "\u007f", "é", "Ærø ÷ 東京",
            "emoji \uD83D\uDE00 end", "path/with/ü", "x\u0000y", null, "", "=", "a=b"};
        for (String v : samples) {
            assertThat(built(v)).as(v).isEqualTo(expected(v).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void randomValuesEqualTheDocumentedQuotingInUtf8() {
        SplittableRandom random = new SplittableRandom(7);
        char[] pool = {'a', 'Z', '0', '/', ' ', '"', '\\', '\t', '\u007f', 'é', '東', '\uD83D', '\uDE00', '=', '-'};
        for (int n = 0; n < 20_000; n++) {
            char[] v = new char[random.nextInt(40)];
            for (int i = 0; i < v.length; i++) {
                v[i] = pool[random.nextInt(pool.length)];
            }
            String s = new String(v);
            // Java's own encoder writes a lone surrogate as '?', as the builder must.
            assertThat(built(s)).as(s).isEqualTo(expected(s).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void numbersAreWrittenAsDecimalDigits() {
        for (long v : new long[] {0, 7, 10, 200, 408, 13_759, -1, -42, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThat(new String(LineBuilder.get().number(v).finish(), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void aLongLineIsWholeAndTheNextLineStartsEmpty() {
        String longPath = "/" + "ü".repeat(3000);
        byte[] line = LineBuilder.get().key("path").value(longPath).finish();
        assertThat(new String(line, StandardCharsets.UTF_8)).isEqualTo(" path=\"" + longPath + "\"");
        assertThat(LineBuilder.get().key("k").value("v").finish()).isEqualTo(" k=v".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void numberFieldsReadBackAsTextAndKeepTheirPlace() {
        ConnectionRecord r = new ConnectionRecord("l", "http", new InetSocketAddress("127.0.0.1", 4000));
        r.field("req", 3);
        r.field("status", null);
        r.field("path", "/a b");
        r.field("status", 200);
        assertThat(r.field("req")).isEqualTo("3");
        assertThat(r.field("status")).isEqualTo("200");
        assertThat(r.format()).contains(" attempts=0 req=3 status=200 path=\"/a b\" bytes_in=0 ");
    }
}
