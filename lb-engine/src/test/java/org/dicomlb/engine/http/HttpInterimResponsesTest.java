package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.engine.testing.ScriptedBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interim (1xx) and bodiless final responses on the wire between a raw HTTP/1.x client and a
 * backend that answers by hand (docs/http.md, "What the client and the backend speak"): 1xx
 * passed on as heads alone, never to an HTTP/1.0 client, the final status logged; {@code Expect:
 * 100-continue} answered by the backend with 100 or with an early final status; HEAD, 204 and 304
 * with framing fields leaving both connections in step for the next request.
 */
class HttpInterimResponsesTest {
    private static final Pattern RESPONSE_MS = Pattern.compile(" response_ms=(\\d+) ");
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    /** Each request head the backend read, and after an early answer what it read behind it. */
    private final List<String> atBackend = new CopyOnWriteArrayList<>();
    private ScriptedBackend backend;

    @BeforeEach
    void setUp() throws Exception {
        backend = ScriptedBackend.start("127.0.0.31", this::serve);
        fx.start(Configs.httpListener(fx.listenPort, "b1", backend.hostPort(), ""));
    }

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        backend.closeAndCheck();
    }

    /** Answers each request of a connection by its path, as a real server would (or as a faulty one would not). */
    private void serve(ScriptedBackend.Conn c) throws Exception {
        do {
            atBackend.add(c.head());
            String length = c.header("content-length");
            int body = length == null ? 0 : Integer.parseInt(length);
            switch (c.head().split(" ")[1]) {
                case "/hints" -> {
                    c.readExactly(body);
                    // Several in a row, one of them framed as if it had a body (it has none, RFC 9110 15.2).
                    c.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\nContent-Length: 5\r\n\r\n"
                            + "HTTP/1.1 102 Processing\r\n\r\n"
                            + "HTTP/1.1 103 Early Hints\r\nLink: </app.js>; rel=preload; as=script\r\nTransfer-Encoding: chunked\r\n\r\n");
                    Thread.sleep(300);
                    c.write(OK);
                }
                case "/continue" -> {
                    if ("100-continue".equalsIgnoreCase(c.header("expect"))) {
                        c.write("HTTP/1.1 100 Continue\r\n\r\n");
                    }
                    String got = new String(c.readExactly(body), StandardCharsets.ISO_8859_1);
                    c.write("HTTP/1.1 200 OK\r\nContent-Length: " + got.length() + "\r\n\r\n" + got);
                }
                case "/unauthorized" -> {
                    // An early final answer: the body the client holds back is never read.
                    c.write("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 4\r\n\r\nnope");
                    atBackend.add("after 401: " + new String(c.readToEnd(), StandardCharsets.ISO_8859_1));
                    return;
                }
                case "/head-chunked" -> c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                case "/head-length" -> c.write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
                case "/not-modified" -> c.write("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 1234\r\n\r\n");
                case "/no-content" -> c.write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
                default -> {
                    c.readExactly(body);
                    c.write(OK);
                }
            }
        } while (c.readHead() != null);
    }

    private List<String> lines(int n) {
        Eventually.until(() -> access.lines().size() >= n, Duration.ofSeconds(5), access::lines);
        return access.lines();
    }

    /**
     * 103, 102 and 103 reach an HTTP/1.1 client as heads alone (no framing field: a client would
     * wait for a body that never comes), then the final response; the connections go on, the
     * access log has the final status, and response_ms runs to the final head, not the first 1xx.
     */
    @Test
    void interimResponsesReachAnHttp11ClientAsHeadsAloneAndTheLogHasTheFinalOne() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /hints HTTP/1.1\r\nHost: viewer.test\r\n\r\n");
            RawHttp.Response first = c.read();
            assertThat(first.status()).isEqualTo(103);
            assertThat(first.header("link")).isEqualTo("</style.css>; rel=preload; as=style");
            assertThat(c.read().status()).isEqualTo(102);
            RawHttp.Response third = c.read();
            assertThat(third.status()).isEqualTo(103);
            assertThat(third.header("link")).isEqualTo("</app.js>; rel=preload; as=script");
            for (RawHttp.Response interim : List.of(first, third)) {
                assertThat(interim.headers()).doesNotContainKeys("content-length", "transfer-encoding");
            }
            RawHttp.Response last = c.read();
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.text()).isEqualTo("ok");
            assertThat(c.send("GET /next HTTP/1.1\r\nHost: viewer.test\r\n\r\n").read().text()).isEqualTo("ok");
        }
        List<String> lines = lines(2);
        assertThat(lines.get(0)).contains("path=/hints", "status=200", "end=complete");
        Matcher ms = RESPONSE_MS.matcher(lines.get(0));
        assertThat(ms.find()).isTrue();
        assertThat(Long.parseLong(ms.group(1))).as(lines.get(0)).isGreaterThanOrEqualTo(300);
        // The backend connection stayed in step: the next request went on it.
        assertThat(lines.get(1)).contains("path=/next", "status=200", "reused=1");
    }

    /**
     * RFC 9110 15.2: no 1xx to an HTTP/1.0 client, which would take it for the answer; and RFC
     * 9110 10.1.1: its 100-continue is ignored, so it does not reach the backend either (this one
     * reached the backend, which could then answer without reading the body).
     */
    @Test
    void anHttp10ClientGetsNoInterimResponseAndItsExpectationStaysHere() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET /hints HTTP/1.0\r\nHost: viewer.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ok");
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("POST /continue HTTP/1.0\r\nHost: viewer.test\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\nhello").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello");
        }
        assertThat(atBackend).filteredOn(h -> h.startsWith("POST /continue")).singleElement()
                .satisfies(h -> assertThat(h.toLowerCase()).doesNotContain("expect:"));
    }

    /**
     * Expect: 100-continue: the backend's 100 reaches the client before it sends its body, and the
     * final answer follows; a backend that answers 401 at once instead never gets the body, and the
     * client's connection ends after the answer (Connection: close), since the body it held back
     * would otherwise be read as its next request (RFC 9110 10.1.1, docs/http.md).
     */
    @Test
    void expectContinueGetsTheBackendsHundredOrItsEarlyAnswer() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("POST /continue HTTP/1.1\r\nHost: viewer.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            RawHttp.Response r = c.send("hello").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello");
            assertThat(c.send("GET /next HTTP/1.1\r\nHost: viewer.test\r\n\r\n").read().text()).isEqualTo("ok");
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("POST /unauthorized HTTP/1.1\r\nHost: viewer.test\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 20\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("www-authenticate")).isEqualTo("Bearer");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        // The backend connection that answered early is closed, with nothing read behind the request.
        Eventually.until(() -> atBackend.contains("after 401: "), Duration.ofSeconds(5), () -> atBackend.toString());
        List<String> lines = lines(3);
        assertThat(lines.get(2)).contains("path=/unauthorized", "status=401", "bytes_in=0", "end=complete");
        // The same without Expect, a short body sent after the answer: closed too, not drained.
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("POST /unauthorized HTTP/1.1\r\nHost: viewer.test\r\nContent-Length: 5\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.send("hello").closedByPeer()).isTrue();
        }
        Eventually.until(() -> atBackend.stream().filter(h -> h.startsWith("after 401")).count() == 2, Duration.ofSeconds(5),
                () -> atBackend.toString());
        assertThat(atBackend).filteredOn(h -> h.startsWith("after 401")).containsOnly("after 401: ");
    }

    /**
     * Bodiless finals with framing fields, pipelined on one connection: a HEAD answered chunked or
     * with a Content-Length, a 304 with a Content-Length, a 204 with Content-Length: 0. No octet of a
     * body is sent or awaited on either side: each answer is the next on the client's connection,
     * and every request after the first goes on the same backend connection.
     */
    @Test
    void bodilessFinalsKeepBothConnectionsInStep() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("HEAD /head-chunked HTTP/1.1\r\nHost: viewer.test\r\n\r\n"
                    + "HEAD /head-length HTTP/1.1\r\nHost: viewer.test\r\n\r\n"
                    + "GET /not-modified HTTP/1.1\r\nHost: viewer.test\r\nIf-None-Match: \"v1\"\r\n\r\n"
                    + "GET /no-content HTTP/1.1\r\nHost: viewer.test\r\n\r\n"
                    + "GET /next HTTP/1.1\r\nHost: viewer.test\r\n\r\n");
            assertThat(c.read(true).status()).isEqualTo(200);
            RawHttp.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("1234");
            RawHttp.Response notModified = c.read();
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(notModified.header("etag")).isEqualTo("\"v1\"");
            RawHttp.Response noContent = c.read();
            assertThat(noContent.status()).isEqualTo(204);
            assertThat(noContent.headers()).doesNotContainKeys("content-length", "transfer-encoding");
            RawHttp.Response next = c.read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).isEqualTo("ok");
        }
        List<String> lines = lines(5);
        assertThat(lines).allMatch(l -> l.contains("end=complete"));
        assertThat(lines.subList(1, 5)).allMatch(l -> l.contains("reused=1"));
        assertThat(atBackend).hasSize(5);
    }
}
