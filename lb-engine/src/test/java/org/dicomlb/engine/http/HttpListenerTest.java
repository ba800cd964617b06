package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.OperatorClose;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An http listener in front of real HTTP/1.1 backends (the JDK's server), driven with raw sockets
 * where the exact bytes matter: keep-alive to both sides, routing, the forwarded and hop-by-hop
 * headers, the answers dicomlb gives itself, pipelining, HTTP/1.0, and the access log and meters.
 */
class HttpListenerTest {
    private final EngineFixture fx = new EngineFixture();
    private final List<HttpTestBackend> backends = new ArrayList<>();
    private final LogCapture access = LogCapture.accessLog();

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        backends.forEach(HttpTestBackend::close);
    }

    private HttpTestBackend backend(String name, String host) throws IOException {
        HttpTestBackend b = HttpTestBackend.start(name, host);
        backends.add(b);
        return b;
    }

    private void start(String listenerExtra, String pools) throws Exception {
        fx.start(yaml(listenerExtra, pools));
    }

    private String yaml(String listenerExtra, String pools) {
        return """
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: p
                %s
                pools:
                %s""".formatted(fx.listenPort, listenerExtra.indent(4), pools.indent(2));
    }

    private static String pool(String name, HttpTestBackend... bs) {
        StringBuilder sb = new StringBuilder("- name: " + name + "\n  health-check: none\n  backends:\n");
        for (HttpTestBackend b : bs) {
            sb.append("    - { name: ").append(b.name()).append(", address: ").append(b.hostPort()).append(" }\n");
        }
        return sb.toString();
    }

    private static Map<String, String> headerLines(String text) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (String l : text.split("\n")) {
            int c = l.indexOf(": ");
            if (c > 0) {
                m.put(l.substring(0, c), l.substring(c + 2));
            }
        }
        return m;
    }

    @Test
    void keepAliveOnBothSidesOneBackendConnectionForManyRequests() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            for (int i = 0; i < 20; i++) {
                RawHttp.Response r = c.send("GET /name HTTP/1.1\r\nHost: web.test\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("b1");
            }
        }
        // Sequential clients reuse the kept connections too (one per event loop at most).
        for (int i = 0; i < 10; i++) {
            try (RawHttp c = new RawHttp(fx.front())) {
                assertThat(c.send("GET /name HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
        assertThat(b.requests()).isEqualTo(30);
        assertThat(b.connections()).isLessThanOrEqualTo(2);
    }

    @Test
    void operatorsSeeAnOpenHttpConnectionAsServingAndCanCloseIt() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /name HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(200);
            List<LiveConnection> open = fx.engine.connections(x -> true, 10).get(10, TimeUnit.SECONDS).connections();
            assertThat(open).singleElement().satisfies(v -> {
                assertThat(v.mode()).isEqualTo("http");
                assertThat(v.state()).isEqualTo("serving");
            });
            Optional<OperatorClose> closed = fx.engine.closeConnection(open.getFirst().id()).get(10, TimeUnit.SECONDS);
            assertThat(closed).isPresent();
            Eventually.until(c::closedByPeer, Duration.ofSeconds(10), () -> "still open");
        }
    }

    @Test
    void routesByHostAndPathPrefixFirstMatchWinsElseTheListenersPool() throws Exception {
        HttpTestBackend web = backend("web1", "127.0.0.11");
        HttpTestBackend api = backend("api1", "127.0.0.12");
        HttpTestBackend wado = backend("wado1", "127.0.0.13");
        start("""
                routes:
                  - { name: dicomweb, host: "*.pacs.test", path-prefix: /dicom-web/, pool: wado }
                  - { name: api, path-prefix: /api/, pool: api }
                """, pool("p", web) + pool("api", api) + pool("wado", wado));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /dicom-web/studies HTTP/1.1\r\nHost: viewer.pacs.test:8443\r\n\r\n").read().text())
                    .isEqualTo("wado1");
            assertThat(c.send("GET /dicom-web/studies HTTP/1.1\r\nHost: other.test\r\n\r\n").read().text())
                    .isEqualTo("web1");
            assertThat(c.send("GET /api/v1 HTTP/1.1\r\nHost: viewer.pacs.test\r\n\r\n").read().text()).isEqualTo("api1");
            assertThat(c.send("GET /index.html HTTP/1.1\r\nHost: VIEWER.PACS.TEST\r\n\r\n").read().text()).isEqualTo("web1");
        }
        Eventually.until(() -> access.lines().size() >= 4, Duration.ofSeconds(5), access::lines);
        assertThat(access.lines().get(0)).contains("route=dicomweb", "pool=wado", "backend=wado1", "status=200",
                "path=/dicom-web/studies", "host=viewer.pacs.test:8443");
        assertThat(access.lines().get(3)).contains("route=default", "pool=p");
    }

    @Test
    void forwardedHeadersFromAnUntrustedClientAreReplaced() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            String text = c.send("GET /headers HTTP/1.1\r\nHost: viewer.test\r\nX-Forwarded-For: 203.0.113.9\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\nX-Real-IP: 203.0.113.9\r\n"
                    + "Forwarded: for=203.0.113.9\r\n\r\n").read().text();
            Map<String, String> h = headerLines(text);
            assertThat(h).containsEntry("x-forwarded-for", "127.0.0.1")
                    .containsEntry("x-forwarded-proto", "http")
                    .containsEntry("x-forwarded-host", "viewer.test")
                    .containsEntry("forwarded", "for=127.0.0.1;proto=http;host=viewer.test")
                    .doesNotContainKey("x-real-ip");
        }
    }

    @Test
    void forwardedHeadersFromATrustedProxyAreKeptAndAppended() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("forwarded: { trusted: [127.0.0.0/8] }", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            Map<String, String> h = headerLines(c.send("GET /headers HTTP/1.1\r\nHost: viewer.test:8080\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n"
                    + "Forwarded: for=203.0.113.9;proto=https\r\n\r\n").read().text());
            assertThat(h).containsEntry("x-forwarded-for", "203.0.113.9, 127.0.0.1")
                    .containsEntry("x-forwarded-proto", "https")
                    .containsEntry("x-forwarded-host", "viewer.test:8080")
                    .containsEntry("forwarded", "for=203.0.113.9;proto=https, for=127.0.0.1;proto=http;host=\"viewer.test:8080\"");
        }
    }

    @Test
    void hopByHopHeadersStopAtDicomlbAndRulesApply() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("""
                request-headers: { set: { X-Site: dc-a }, remove: [X-Debug] }
                response-headers: { add: { Strict-Transport-Security: max-age=63072000 }, remove: [Server] }
                routes:
                  - { path-prefix: /headers, pool: p, request-headers: { add: { X-Route: headers } } }
                """, pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET /headers HTTP/1.1\r\nHost: viewer.test\r\nConnection: Keep-Alive ,X-Hop ,, Host\r\n"
                    + "X-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Connection: keep-alive\r\n"
                    + "X-Debug: on\r\nX-Site: somewhere\r\nX-Kept: yes\r\n\r\n").read();
            Map<String, String> h = headerLines(r.text());
            assertThat(h).doesNotContainKeys("x-hop", "keep-alive", "te", "upgrade", "proxy-connection", "x-debug")
                    .containsEntry("x-site", "dc-a")
                    .containsEntry("x-route", "headers")
                    .containsEntry("x-kept", "yes")
                    // Host is not the client's to drop by naming it in Connection.
                    .containsEntry("host", "viewer.test");
            assertThat(r.header("strict-transport-security")).isEqualTo("max-age=63072000");
            assertThat(r.headers()).doesNotContainKey("server");
        }
    }

    @Test
    void noEligibleBackendGets503AndTheConnectionGoesOn() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        fx.engine.setAdminState("p", "b1", AdminState.DRAIN).join();
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET /name HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text()).isEqualTo("503 Service Unavailable: no backend is available\n");
            fx.engine.setAdminState("p", "b1", AdminState.READY).join();
            assertThat(c.send("GET /name HTTP/1.1\r\nHost: x\r\n\r\n").read().text()).isEqualTo("b1");
        }
        // A request is counted when its exchange ends, just after the response went out: wait for both.
        Eventually.until(() -> fx.metric("dicomlb_http_local_responses_total{listener=\"web\",reason=\"no_backend\"}") == 1
                && fx.metric("dicomlb_http_requests_total{backend=\"b1\",listener=\"web\",pool=\"p\",status=\"2xx\"}") == 1,
                Duration.ofSeconds(5), () -> fx.registry.scrape());
        assertThat(fx.metric("dicomlb_http_requests_total{backend=\"none\",listener=\"web\",pool=\"p\",status=\"5xx\"}"))
                .isEqualTo(1);
    }

    @Test
    void aConnectionsRequestsAreCountedByClassAndUnderTheBackendThatServesThemAfterAReload() throws Exception {
        HttpTestBackend b1 = backend("b1", "127.0.0.11");
        HttpTestBackend b2 = backend("b2", "127.0.0.12");
        start("", pool("p", b1));
        String b1Ok = "dicomlb_http_requests_total{backend=\"b1\",listener=\"web\",pool=\"p\",status=\"2xx\"}";
        String b1Teapot = "dicomlb_http_requests_total{backend=\"b1\",listener=\"web\",pool=\"p\",status=\"4xx\"}";
        String b2Ok = "dicomlb_http_requests_total{backend=\"b2\",listener=\"web\",pool=\"p\",status=\"2xx\"}";
        try (RawHttp c = new RawHttp(fx.front())) {
            // One connection's requests, counted by the class of their status.
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("GET /name HTTP/1.1\r\nHost: x\r\n\r\n").read().text()).isEqualTo("b1");
            }
            assertThat(c.send("GET /status/418 HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(418);
            Eventually.until(() -> fx.metric(b1Ok) == 3 && fx.metric(b1Teapot) == 1, Duration.ofSeconds(5),
                    () -> fx.registry.scrape());
            // A reload replaces b1 with b2: b1's meters leave, and the same connection's next request is
            // counted under b2.
            assertThat(fx.apply(yaml("", pool("p", b2))).applied()).isTrue();
            assertThat(c.send("GET /name HTTP/1.1\r\nHost: x\r\n\r\n").read().text()).isEqualTo("b2");
        }
        Eventually.until(() -> fx.metric(b2Ok) == 1, Duration.ofSeconds(5), () -> fx.registry.scrape());
        assertThat(fx.metric(b1Ok)).isNaN();
        assertThat(fx.metric(b1Teapot)).isNaN();
    }

    @Test
    void refusedConnectsToEveryBackendGet502() throws Exception {
        int closed = Ports.closed("127.0.0.11");
        start("", """
                - name: p
                  health-check: none
                  retries: 1
                  backends:
                    - { name: gone, address: 127.0.0.11:%d }
                """.formatted(closed));
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET /name HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).isEqualTo("502 Bad Gateway: no backend could be connected\n");
        }
        Eventually.until(() -> !access.lines().isEmpty(), Duration.ofSeconds(5), access::lines);
        assertThat(access.lines().getFirst()).contains("status=502", "end=all_backends_failed");
    }

    @Test
    void listenerWithRoutesOnlyAnswers404ForAnUnroutedRequest() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        fx.start("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    routes:
                      - { host: viewer.test, pool: p }
                pools:
                %s""".formatted(fx.listenPort, pool("p", b).indent(2)));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /name HTTP/1.1\r\nHost: viewer.test\r\n\r\n").read().text()).isEqualTo("b1");
            RawHttp.Response r = c.send("GET /name HTTP/1.1\r\nHost: other.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.text()).contains("no route");
        }
    }

    @Test
    void malformedAndOversizedRequestsAreRefusedAndTheConnectionCloses() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("max-request-line: 512\nmax-header-size: 2048", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET /" + "a".repeat(600) + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(414);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(3000) + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET / HTTP/1.1\r\n\r\n").read().status()).isEqualTo(400);
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a.test\r\nAccept: */*\r\nhost: b.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text()).isEqualTo("400 Bad Request: the request has more than one Host header\n");
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n").read().status())
                    .isEqualTo(405);
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("\u0001\u0002garbage\r\n\r\n").read().status()).isEqualTo(400);
        }
        assertThat(b.requests()).isZero();
    }

    @Test
    void headersThatDoNotArriveInTimeGet408AndSilenceJustCloses() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("timeouts: { request: 300ms, keep-alive: 300ms }", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET /name HTTP/1.1\r\nHost: x\r\n").read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.text()).startsWith("408 Request Timeout: the request's headers did not arrive within");
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /name HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            // Kept alive, then silent past keep-alive: closed without a word.
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void aRequestsDurationRunsFromItsFirstByte() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            // The request line, then the rest of the head 300 ms later: the request began with its first byte.
            c.send("GET /name HTTP/1.1\r\n");
            Thread.sleep(300);
            assertThat(c.send("Host: x\r\n\r\n").read().status()).isEqualTo(200);
        }
        Eventually.until(() -> !access.lines().isEmpty(), Duration.ofSeconds(5), access::lines);
        String line = access.lines().getFirst();
        // The clock is read when the event loop reads each part, not when the test sent it: a first read
        // that a busy machine delays by a few milliseconds shortens the measured gap below the 300 ms slept
        // (CI saw 299). Timed from the end of the head instead, it would be near 0, so 250 still tells.
        assertThat(Long.parseLong(line.replaceAll(".* response_ms=(\\d+) .*", "$1"))).isGreaterThanOrEqualTo(250);
        assertThat(Long.parseLong(line.replaceAll(".* duration_ms=(\\d+) .*", "$1"))).isGreaterThanOrEqualTo(250);
    }

    @Test
    void trailersOfChunkedBodiesPassBothWays() throws Exception {
        // A raw backend on 127.0.0.11: it reads one chunked request to its trailers' end and answers
        // with a chunked body and a trailer of its own.
        try (ServerSocket raw = new ServerSocket()) {
            raw.bind(new InetSocketAddress("127.0.0.11", 0));
            start("", "- name: p\n  health-check: none\n  backends:\n    - { name: raw, address: 127.0.0.11:"
                    + raw.getLocalPort() + " }\n");
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = raw.accept()) {
                    s.setSoTimeout(10_000);
                    StringBuilder request = new StringBuilder();
                    InputStream in = s.getInputStream();
                    while (!(request.toString().toLowerCase(Locale.ROOT).contains("x-checksum: abc")
                            && request.toString().endsWith("\r\n\r\n"))) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        request.append((char) b);
                    }
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Digest\r\n\r\n"
                            + "5\r\nworld\r\n0\r\nX-Digest: def\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    Thread.sleep(500);
                    return request.toString();
                } catch (IOException | InterruptedException e) {
                    throw new CompletionException(e);
                }
            });
            try (RawHttp c = new RawHttp(fx.front())) {
                RawHttp.Response r = c.send("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                        + "5\r\nhello\r\n0\r\nX-Forwarded-For: 192.0.2.66\r\nHost: evil.test\r\nX-Checksum: abc\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("world");
                assertThat(r.header("trailer.x-digest")).isEqualTo("def");
            }
            String request = received.get(10, TimeUnit.SECONDS);
            assertThat(request).containsIgnoringCase("transfer-encoding: chunked").contains("hello")
                    .containsIgnoringCase("\r\nx-checksum: abc\r\n\r\n")
                    // Trailers may not carry what the headers were checked for (RFC 9110 section 6.5.1).
                    .doesNotContain("192.0.2.66").doesNotContain("evil.test");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /slow/200 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /status/418 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("b1");
            assertThat(c.read().text()).isEqualTo("abc");
            assertThat(c.read().status()).isEqualTo(418);
        }
    }

    @Test
    void http10ClientGetsItsAnswerAndTheConnectionCloses() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET /name HTTP/1.0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("b1");
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET /name HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.header("connection")).isEqualTo("keep-alive");
            assertThat(c.send("GET /name HTTP/1.0\r\n\r\n").read().text()).isEqualTo("b1");
        }
    }

    @Test
    void chunkedUploadAndClientConnectionCloseAreHonoured() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(r.text()).isEqualTo("hello world");
            assertThat(r.header("x-length")).isEqualTo("11");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void theJdkClientSeesTheBackendThroughDicomlb() throws Exception {
        HttpTestBackend b = backend("b1", "127.0.0.11");
        start("", pool("p", b));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] body = new byte[3 * 1024 * 1024];
        new java.util.Random(7).nextBytes(body);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.listenPort + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(body);
        Eventually.until(() -> !access.lines().isEmpty(), Duration.ofSeconds(5), access::lines);
        String line = access.lines().getFirst();
        assertThat(line).contains("listener=web", "mode=http", "pool=p", "backend=b1", "attempts=1", "req=1",
                "proto=HTTP/1.1", "method=POST", "path=/echo", "status=200", "bytes_in=3145728", "bytes_out=3145728",
                "end=complete");
        assertThat(new String(body, 0, 0, StandardCharsets.US_ASCII)).isEmpty();
    }
}
