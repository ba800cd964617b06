package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The hop-by-hop fields a message loses on the way through ({@link Headers#removeHopByHop}), which
 * walks the {@code Connection} values without a list and removes what they name after the walk.
 */
class HeadersTest {
    @Test
    void everyConnectionFieldsNamesAreRemovedAndTheProtectedOnesKept() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Host", "viewer.test")
                .add("Connection", "Keep-Alive , X-A,, host")
                .add("X-A", "1")
                .add("connection", "x-b\t,Content-Length ,transfer-encoding, close")
                .add("X-B", "2")
                .add("X-B", "3")
                .add("Content-Length", "0")
                .add("Keep-Alive", "timeout=5")
                .add("TE", "trailers")
                .add("Upgrade", "h2c")
                .add("Proxy-Connection", "keep-alive")
                .add("X-Kept", "yes");
        Headers.removeHopByHop(h, false);
        assertThat(names(h)).containsExactly("host", "content-length", "x-kept");
        assertThat(h.get("Host")).isEqualTo("viewer.test");
    }

    @Test
    void aWebSocketUpgradeKeepsUpgradeAndSaysSo() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "Upgrade, X-A")
                .add("Upgrade", "websocket")
                .add("X-A", "1")
                .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        Headers.removeHopByHop(h, true);
        assertThat(h.getAll("Connection")).containsExactly("upgrade");
        assertThat(h.get("Upgrade")).isEqualTo("websocket");
        assertThat(h.contains("X-A")).isFalse();
        assertThat(h.contains("Sec-WebSocket-Key")).isTrue();
    }

    @Test
    void aConnectionFieldNamingManyFieldsRemovesThemAllAndNothingElse() {
        HttpHeaders h = new DefaultHttpHeaders();
        StringBuilder named = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            h.add("X-Hop-" + i, Integer.toString(i));
            h.add("X-Stay-" + i, Integer.toString(i));
            named.append(i == 0 ? "" : ", ").append("x-hop-").append(i);
        }
        h.add("Connection", named.toString());
        Headers.removeHopByHop(h, false);
        assertThat(names(h)).hasSize(40).allMatch(n -> n.startsWith("x-stay-"));
    }

    @Test
    void randomFieldSetsLoseWhatTheRulesSayAndKeepTheirOrder() {
        Random random = new Random(20261206L);
        String[] pool = {"X-A", "x-b", "X-C", "Host", "Content-Length", "Transfer-Encoding", "Keep-Alive", "TE",
            "Upgrade", "Proxy-Connection", "Accept", "Cookie", "close", "X-Forwarded-For"};
        String[] tokens = {"keep-alive", "Keep-Alive", "close", "X-A", " x-b ", "x-c", "host", "CONTENT-LENGTH",
            "transfer-encoding", "upgrade", "accept", "", " ", "cookie"};
        for (int round = 0; round < 5_000; round++) {
            boolean upgrade = random.nextInt(4) == 0;
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            int n = random.nextInt(10);
            for (int i = 0; i < n; i++) {
                fields.add(Map.entry(pool[random.nextInt(pool.length)], "v" + i));
            }
            int connections = random.nextInt(3);
            for (int c = 0; c < connections; c++) {
                StringBuilder v = new StringBuilder();
                int k = 1 + random.nextInt(4);
                for (int t = 0; t < k; t++) {
                    v.append(t == 0 ? "" : ",").append(tokens[random.nextInt(tokens.length)]);
                }
                // A decoder strips a value's outer whitespace (Netty refuses a value that has it).
                fields.add(random.nextInt(fields.size() + 1), Map.entry(random.nextBoolean() ? "Connection" : "connection",
                        v.toString().strip()));
            }
            HttpHeaders actual = new DefaultHttpHeaders();
            fields.forEach(f -> actual.add(f.getKey(), f.getValue()));
            Headers.removeHopByHop(actual, upgrade);
            assertThat(entries(actual)).as("round %d: %s (upgrade %s)", round, fields, upgrade)
                    .isEqualTo(expected(fields, upgrade));
        }
    }

    @Test
    void aRepeatedFieldIsToldFromASingleOne() {
        HttpHeaders h = new DefaultHttpHeaders().add("Accept", "*/*");
        assertThat(Headers.repeated(h, HttpHeaderNames.HOST)).isFalse();
        h.add("Host", "a.test");
        assertThat(Headers.repeated(h, HttpHeaderNames.HOST)).isFalse();
        h.add("host", "b.test");
        assertThat(Headers.repeated(h, HttpHeaderNames.HOST)).isTrue();
    }

    /** The rules of docs/http.md written out plainly: what a message keeps, in its order. */
    private static List<String> expected(List<Map.Entry<String, String>> fields, boolean upgrade) {
        Set<String> gone = new java.util.HashSet<>(Set.of("connection", "keep-alive", "proxy-connection", "te"));
        if (!upgrade) {
            gone.add("upgrade");
        }
        for (Map.Entry<String, String> f : fields) {
            if (!f.getKey().equalsIgnoreCase("connection")) {
                continue;
            }
            for (String t : f.getValue().split(",", -1)) {
                String name = t.strip().toLowerCase(Locale.ROOT);
                boolean kept = name.isEmpty() || name.equals("keep-alive") || (upgrade && name.equals("upgrade"))
                        || Set.of("host", "content-length", "transfer-encoding").contains(name);
                if (!kept) {
                    gone.add(name);
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> f : fields) {
            if (!gone.contains(f.getKey().toLowerCase(Locale.ROOT))) {
                out.add(f.getKey().toLowerCase(Locale.ROOT) + ": " + f.getValue());
            }
        }
        if (upgrade) {
            out.add("connection: upgrade");
        }
        return out;
    }

    private static List<String> entries(HttpHeaders h) {
        List<String> out = new ArrayList<>();
        h.forEach(e -> out.add(e.getKey().toLowerCase(Locale.ROOT) + ": " + e.getValue()));
        return out;
    }

    private static List<String> names(HttpHeaders h) {
        List<String> out = new ArrayList<>();
        h.forEach(e -> out.add(e.getKey().toLowerCase(Locale.ROOT)));
        return out;
    }
}
