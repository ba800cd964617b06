package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dicomlb.config.Cidr;
import org.dicomlb.engine.config.ForwardedHeaders;
import org.junit.jupiter.api.Test;

/**
 * The forwarded fields a request gets ({@link Headers#forwarded}). An untrusted client's request
 * gets a connection's fields copied in whole ({@link Headers.ClientForwarding#fields}), made again
 * when the host or the listener's settings change; these tests hold that copy to what the fields
 * must say, request after request on one connection.
 */
class ForwardedFieldsTest {
    private static final ForwardedHeaders BOTH = new ForwardedHeaders(List.of(), true, true);
    private static final ForwardedHeaders X_ONLY = new ForwardedHeaders(List.of(), true, false);
    private static final ForwardedHeaders RFC_ONLY = new ForwardedHeaders(List.of(), false, true);
    private static final ForwardedHeaders NONE = new ForwardedHeaders(List.of(), false, false);

    private final Headers.ClientForwarding client =
            new Headers.ClientForwarding(new InetSocketAddress("192.0.2.7", 40000), "http");

    /** A request's headers as the HTTP/1.1 decoder makes them, with every field a client could forge. */
    private static HttpHeaders forged(String host) {
        HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        if (host != null) {
            h.add("Host", host);
        }
        h.add("X-Forwarded-For", "203.0.113.9")
                .add("X-Forwarded-Proto", "https")
                .add("X-Forwarded-Host", "evil.test")
                .add("X-Forwarded-Port", "443")
                .add("X-Real-IP", "203.0.113.9")
                .add("Forwarded", "for=203.0.113.9")
                .add("Accept", "*/*");
        return h;
    }

    /** {@link #forged} headers for {@code host} after {@code f}'s forwarded fields, on this test's one connection. */
    private HttpHeaders through(ForwardedHeaders f, String host) {
        HttpHeaders h = forged(host);
        Headers.forwarded(h, f, client, host);
        return h;
    }

    private static List<Map.Entry<String, String>> fields(HttpHeaders h) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        h.forEach(e -> out.add(Map.entry(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue())));
        return out;
    }

    @Test
    void anUntrustedClientsRequestCarriesDicomlbsFieldsAloneUnderEachSetting() {
        HttpHeaders both = through(BOTH, "viewer.test");
        assertThat(fields(both)).containsExactly(
                Map.entry("host", "viewer.test"), Map.entry("accept", "*/*"),
                Map.entry("x-forwarded-for", "192.0.2.7"), Map.entry("x-forwarded-proto", "http"),
                Map.entry("x-forwarded-host", "viewer.test"), Map.entry("forwarded", "for=192.0.2.7;proto=http;host=viewer.test"));

        HttpHeaders x = through(X_ONLY, "viewer.test");
        assertThat(fields(x)).containsExactly(
                Map.entry("host", "viewer.test"), Map.entry("accept", "*/*"),
                Map.entry("x-forwarded-for", "192.0.2.7"), Map.entry("x-forwarded-proto", "http"),
                Map.entry("x-forwarded-host", "viewer.test"));

        HttpHeaders rfc = through(RFC_ONLY, "viewer.test:8080");
        assertThat(fields(rfc)).containsExactly(
                Map.entry("host", "viewer.test:8080"), Map.entry("accept", "*/*"),
                Map.entry("forwarded", "for=192.0.2.7;proto=http;host=\"viewer.test:8080\""));

        HttpHeaders none = through(NONE, "viewer.test");
        assertThat(fields(none)).containsExactly(Map.entry("host", "viewer.test"), Map.entry("accept", "*/*"));
    }

    @Test
    void theFieldsFollowTheHostRequestByRequest() {
        HttpHeaders first = through(BOTH, "a.test");
        HttpHeaders second = through(BOTH, "b.test");
        HttpHeaders third = through(BOTH, null);
        HttpHeaders fourth = through(BOTH, "b.test");

        assertThat(first.get("X-Forwarded-Host")).isEqualTo("a.test");
        assertThat(first.get("Forwarded")).isEqualTo("for=192.0.2.7;proto=http;host=a.test");
        assertThat(second.get("X-Forwarded-Host")).isEqualTo("b.test");
        assertThat(second.get("Forwarded")).isEqualTo("for=192.0.2.7;proto=http;host=b.test");
        // Without a Host: no X-Forwarded-Host, and an element without host=.
        assertThat(third.contains("X-Forwarded-Host")).isFalse();
        assertThat(third.getAll("Forwarded")).containsExactly("for=192.0.2.7;proto=http");
        assertThat(third.getAll("X-Forwarded-For")).containsExactly("192.0.2.7");
        assertThat(fourth.get("X-Forwarded-Host")).isEqualTo("b.test");
    }

    @Test
    void aReloadsSettingsApplyToTheConnectionsNextRequest() {
        HttpHeaders before = through(BOTH, "viewer.test");
        HttpHeaders after = through(X_ONLY, "viewer.test");
        assertThat(before.contains("Forwarded")).isTrue();
        assertThat(after.contains("Forwarded")).isFalse();
        assertThat(after.get("X-Forwarded-For")).isEqualTo("192.0.2.7");
    }

    @Test
    void whatARuleDoesToOneRequestsFieldsLeavesTheNextRequestsAlone() {
        HttpHeaders first = through(BOTH, "viewer.test");
        first.remove("X-Forwarded-Host");
        first.set("X-Forwarded-Proto", "https");
        HttpHeaders second = through(BOTH, "viewer.test");
        assertThat(second.get("X-Forwarded-Host")).isEqualTo("viewer.test");
        assertThat(second.getAll("X-Forwarded-Proto")).containsExactly("http");
    }

    @Test
    void headersMadeOtherwiseGetTheSameFields() {
        // An HTTP/2 stream's request is converted to HTTP/1.1 objects by other code; its headers
        // need not come from the decoder's factory, and get the fields one by one.
        HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders()
                .add("Host", "viewer.test").add("X-Forwarded-For", "203.0.113.9");
        Headers.forwarded(h, BOTH, client, "viewer.test");
        assertThat(h.getAll("X-Forwarded-For")).containsExactly("192.0.2.7");
        assertThat(h.get("Forwarded")).isEqualTo("for=192.0.2.7;proto=http;host=viewer.test");
    }

    @Test
    void aTrustedProxysFieldsAreStillAppendedTo() {
        ForwardedHeaders trusting = new ForwardedHeaders(List.of(Cidr.parse("192.0.2.0/24")), true, true);
        HttpHeaders h = through(trusting, "viewer.test");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("203.0.113.9, 192.0.2.7");
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(h.get("X-Forwarded-Host")).isEqualTo("evil.test");
        assertThat(h.get("Forwarded")).isEqualTo("for=203.0.113.9, for=192.0.2.7;proto=http;host=viewer.test");
        assertThat(h.get("X-Real-IP")).isEqualTo("203.0.113.9");
    }
}
