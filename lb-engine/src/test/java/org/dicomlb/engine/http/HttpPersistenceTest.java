package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistence on an http listener over three round-robin backends: a cookie keeps a browser on
 * one backend (without naming its address), moves it when that backend is drained and back to
 * balancing for good; {@code source} keeps a client address on one backend.
 */
class HttpPersistenceTest {
    @TempDir
    Path dir;
    private final EngineFixture fx = new EngineFixture();
    private final List<HttpTestBackend> backends = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        for (int i = 1; i <= 3; i++) {
            backends.add(HttpTestBackend.start("b" + i, "127.0.0.1" + i));
        }
    }

    @AfterEach
    void tearDown() {
        fx.close();
        backends.forEach(HttpTestBackend::close);
    }

    private void start(String persistence) throws Exception {
        StringBuilder items = new StringBuilder();
        for (HttpTestBackend b : backends) {
            items.append("      - { name: ").append(b.name()).append(", address: ").append(b.hostPort()).append(" }\n");
        }
        fx.start("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: viewer
                    persistence: %s
                pools:
                  - name: viewer
                    balance: roundrobin
                    health-check: none
                    backends:
                %s""".formatted(fx.listenPort, persistence, items));
    }

    /** One request on a new connection, with {@code cookie} when not null. */
    private RawHttp.Response get(String cookie) throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            return c.send("GET /name HTTP/1.1\r\nHost: viewer.test\r\n" + (cookie == null ? "" : "Cookie: " + cookie + "\r\n")
                    + "\r\n").read();
        }
    }

    private static String cookieOf(RawHttp.Response r) {
        String set = r.header("set-cookie");
        return set == null ? null : set.substring(0, set.indexOf(';'));
    }

    @Test
    void aCookieKeepsTheClientOnItsBackendAndMovesItWhenDrained() throws Exception {
        Path secret = dir.resolve("cookie.secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef\n");
        start("{ type: cookie, cookie: SRV, secret-file: " + secret + " }");

        RawHttp.Response first = get(null);
        String backend = first.text();
        String cookie = cookieOf(first);
        assertThat(cookie).startsWith("SRV=").hasSize(4 + 16);
        assertThat(first.header("set-cookie")).endsWith("; Path=/; HttpOnly; SameSite=Lax");
        // The value names the backend without its name or address.
        assertThat(cookie).doesNotContain(backend, "127.0.0");

        for (int i = 0; i < 12; i++) {
            RawHttp.Response r = get("theme=dark; " + cookie);
            assertThat(r.text()).isEqualTo(backend);
            assertThat(r.header("set-cookie")).as("an existing, valid cookie is not set again").isNull();
        }
        // Without the cookie, requests are balanced over all three.
        Set<String> spread = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            spread.add(get(null).text());
        }
        assertThat(spread).containsExactlyInAnyOrder("b1", "b2", "b3");

        fx.engine.setAdminState("viewer", backend, AdminState.DRAIN).join();
        RawHttp.Response moved = get(cookie);
        assertThat(moved.text()).isNotEqualTo(backend);
        String newCookie = cookieOf(moved);
        assertThat(newCookie).isNotEqualTo(cookie);
        for (int i = 0; i < 6; i++) {
            assertThat(get(newCookie).text()).isEqualTo(moved.text());
        }
        // Back in service, the moved client stays where it went: its cookie now names that backend.
        fx.engine.setAdminState("viewer", backend, AdminState.READY).join();
        assertThat(get(newCookie).text()).isEqualTo(moved.text());
        // A cookie that names nothing (tampered, or from another secret) is balanced and replaced.
        RawHttp.Response forged = get("SRV=AAAAAAAAAAAAAAAA");
        assertThat(cookieOf(forged)).isNotNull().isNotEqualTo("SRV=AAAAAAAAAAAAAAAA");
    }

    @Test
    void theSameSecretGivesTheSameCookieAfterARestart() throws Exception {
        Path secret = dir.resolve("cookie.secret");
        Files.writeString(secret, "pair-shared-secret-0123456789");
        start("{ type: cookie, secret-file: " + secret + " }");
        RawHttp.Response r = get(null);
        String cookie = cookieOf(r);
        String backend = r.text();
        fx.close();
        EngineFixture again = new EngineFixture();
        try {
            again.start("""
                    listeners:
                      - { name: web, bind: 127.0.0.1:%d, mode: http, pool: viewer,
                          persistence: { type: cookie, secret-file: %s } }
                    pools:
                      - name: viewer
                        health-check: none
                        backends:
                          - { name: b1, address: %s }
                          - { name: b2, address: %s }
                          - { name: b3, address: %s }
                    """.formatted(again.listenPort, secret, backends.get(0).hostPort(), backends.get(1).hostPort(),
                    backends.get(2).hostPort()));
            for (int i = 0; i < 4; i++) {
                try (RawHttp c = new RawHttp(again.front())) {
                    assertThat(c.send("GET /name HTTP/1.1\r\nHost: v\r\nCookie: " + cookie + "\r\n\r\n").read().text())
                            .isEqualTo(backend);
                }
            }
        } finally {
            again.close();
        }
    }

    @Test
    void sourcePersistenceKeepsAClientAddressOnOneBackend() throws Exception {
        start("source");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            seen.add(get(null).text());
        }
        assertThat(seen).hasSize(1);
        String backend = seen.iterator().next();
        fx.engine.setAdminState("viewer", backend, AdminState.DRAIN).join();
        assertThat(get(null).text()).isNotEqualTo(backend);
    }
}
