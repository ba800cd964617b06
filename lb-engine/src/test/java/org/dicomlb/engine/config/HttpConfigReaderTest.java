package org.dicomlb.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.dicomlb.engine.testing.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http listener keys: what is accepted, and how each mistake reads, located. */
class HttpConfigReaderTest {
    private static final String POOLS = """
            pools:
              - name: web
                backends: [{ name: w1, address: 127.0.0.11:8080 }]
              - name: dicomweb
                proxy-protocol: v2
                backends: [{ name: d1, address: 127.0.0.12:8042 }]
            """;

    @TempDir
    Path dir;

    private static String listener(String body) {
        return "listeners:\n  - name: viewer\n    bind: 127.0.0.1:10080\n    mode: http\n" + body + POOLS;
    }

    @Test
    void aFullHttpListenerReads() throws Exception {
        Path secret = Files.writeString(dir.resolve("cookie.key"), "0123456789abcdef0123456789abcdef\n");
        EngineConfig c = Configs.engine(listener("""
                    routes:
                      - name: qido
                        host: [PACS.example.org., "*.pacs.example.org"]
                        path-prefix: /dicom-web/
                        pool: dicomweb
                        request-headers: { remove: [X-Debug], set: { X-Route: qido }, add: { Via-Site: a } }
                        persistence: { type: cookie, cookie: VIEWER, secret-file: %s, max-age: 1h }
                    pool: web
                    response-headers: { remove: [Server] }
                    forwarded: { trusted: [192.0.2.0/24], headers: x-forwarded }
                    persistence: source
                    max-request-line: 4096
                    max-header-size: 16384
                    backend-keep-alive: { max-idle: 8, idle-timeout: 10s }
                    proxy-protocol: { trusted: [127.0.0.1/32] }
                    timeouts: { request: 5s, keep-alive: 30s, response: 2m }
                """.formatted(secret)));
        ListenerConfig l = c.listeners().getFirst();
        HttpMode m = (HttpMode) l.mode();
        assertThat(l.pool()).isEqualTo("web");
        assertThat(m.routes()).singleElement().satisfies(r -> {
            assertThat(r.label()).isEqualTo("qido");
            assertThat(r.pool()).isEqualTo("dicomweb");
            assertThat(r.matches("pacs.example.org", "/dicom-web/studies")).isTrue();
            assertThat(r.matches("node1.pacs.example.org", "/dicom-web/studies")).isTrue();
            assertThat(r.matches("pacs.example.org", "/dicom-webx")).isFalse();
            assertThat(r.matches("example.org", "/dicom-web/studies")).isFalse();
            assertThat(r.persistence()).hasValueSatisfying(p -> {
                Persistence.Cookie cookie = (Persistence.Cookie) p;
                assertThat(cookie.name()).isEqualTo("VIEWER");
                assertThat(cookie.maxAge()).contains(Duration.ofHours(1));
                assertThat(cookie.secret()).isNotEqualTo(CookieSecret.BUILT_IN);
            });
        });
        assertThat(m.persistence()).isInstanceOf(Persistence.Source.class);
        assertThat(m.forwarded().xForwarded()).isTrue();
        assertThat(m.forwarded().forwarded()).isFalse();
        assertThat(m.maxRequestLine()).isEqualTo(4096);
        assertThat(m.maxHeaderSize()).isEqualTo(16384);
        assertThat(m.http2()).isTrue();
        assertThat(m.backendKeepAlive()).isEqualTo(new BackendKeepAlive(8, Duration.ofSeconds(10)));
        assertThat(m.proxyProtocolFrom()).hasSize(1);
        assertThat(l.timeouts().request()).isEqualTo(Duration.ofSeconds(5));
        assertThat(l.timeouts().keepAlive()).isEqualTo(Duration.ofSeconds(30));
        assertThat(l.timeouts().response()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.pool("dicomweb").orElseThrow().proxyProtocol()).isTrue();
        assertThat(c.pool("web").orElseThrow().proxyProtocol()).isFalse();
    }

    @Test
    void mistakesAreReportedWhereTheyAre() {
        assertThat(Configs.errors(listener("""
                    pool: web
                    routes:
                      - { path-prefix: dicom-web, pool: web }
                      - { host: "bad host", pool: nowhere }
                      - { pool: web }
                      - { path-prefix: /late, pool: web }
                    request-headers: { remove: [Connection], set: { "X Bad": 1 } }
                    forwarded: { headers: some }
                    persistence: sticky
                    max-request-line: 10
                    http2: true
                    proxy-protocol: { trusted: [] }
                    observe-pdus: true
                """))).containsExactlyInAnyOrder(
                "test.yaml:7:24: 'path-prefix' must start with '/', not 'dicom-web'",
                "test.yaml:8:17: 'host': 'bad host' is not a host name (such as viewer.example.org), a wildcard (*.example.org) or an address ([2001:db8::1] for IPv6)",
                "test.yaml:8:35: route 2 uses pool 'nowhere', which is not defined (pools: dicomweb, web)",
                "test.yaml:10:9: listener 'viewer' route 4 can never match: route 3 before it has neither host nor path-prefix and matches every request",
                "test.yaml:11:22: listener 'viewer' request-headers may not change 'connection': dicomlb sets it (framing, connection handling, routing)",
                "test.yaml:11:53: 'set': 'X Bad' is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
                "test.yaml:12:27: 'headers' must be one of both | x-forwarded | forwarded | none, not 'some'",
                "test.yaml:13:18: 'persistence' must be one of none | source | cookie, not 'sticky'",
                "test.yaml:14:23: 'max-request-line' is 10; it must be between 256 and 65536",
                "test.yaml:15:12: HTTP/2 is offered by ALPN in the TLS handshake; a listener without 'tls' speaks HTTP/1.1 only (leave http2 out, or add tls)",
                "test.yaml:16:32: 'trusted' is empty; leave proxy-protocol out to read no PROXY header",
                "test.yaml:17:19: 'observe-pdus' applies to mode: dicom listeners only (listener 'viewer' is mode: http)");
    }

    @Test
    void httpKeysOnATcpListenerAndWeakSecretsAreErrors() throws Exception {
        assertThat(Configs.errors("""
                listeners:
                  - { name: raw, bind: 127.0.0.1:10400, pool: web, persistence: cookie, http2: false }
                """ + POOLS)).containsExactlyInAnyOrder(
                "test.yaml:2:65: 'persistence' applies to mode: http listeners only (listener 'raw' is mode: tcp)",
                "test.yaml:2:80: 'http2' applies to mode: http listeners only (listener 'raw' is mode: tcp)");
        Path weak = Files.writeString(dir.resolve("weak.key"), "short\n");
        assertThat(Configs.errors(listener("    pool: web\n    persistence: { type: cookie, secret-file: " + weak + " }\n")))
                .singleElement().asString().contains("holds 5 octets; it needs at least 16");
        assertThat(Configs.errors(listener("    pool: web\n    persistence: { type: source, cookie: X }\n")))
                .singleElement().asString().contains("'cookie' applies to persistence type cookie only");
        assertThat(Configs.errors(listener("    pool: web\n    proxy-protocol: {}\n")))
                .singleElement().asString().contains("needs 'trusted'");
        assertThat(Configs.engine(listener("    pool: web\n    http2: false\n")).listeners().getFirst().mode())
                .isInstanceOfSatisfying(HttpMode.class, m -> assertThat(m.http2()).isFalse());
        assertThat(Optional.ofNullable(Configs.engine(listener("    routes: [{ path-prefix: /a, pool: web }]\n"))
                .listeners().getFirst().pool())).isEmpty();
    }
}
