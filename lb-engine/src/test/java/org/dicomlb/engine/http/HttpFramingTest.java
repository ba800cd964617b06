package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How messages are framed and checked on the way through an http listener, in the cases where a
 * proxy that got it wrong would let one message bleed into another (docs/http.md, "Error
 * statuses" and "What the client and the backend speak"): a raw-socket backend answers canned
 * bytes per path, so what dicomlb does with them is exact.
 */
class HttpFramingTest {
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private CannedBackend backend;

    @AfterEach
    void tearDown() throws IOException {
        access.close();
        fx.close();
        if (backend != null) {
            backend.close();
        }
    }

    private void start(Map<String, String> answers) throws Exception {
        backend = new CannedBackend("127.0.0.11", answers);
        fx.start("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: p
                    routes:
                      - { name: dead, host: dead.test, pool: dead }
                pools:
                  - name: p
                    health-check: none
                    backends:
                      - { name: b1, address: 127.0.0.11:%d }
                  - name: dead
                    health-check: none
                    backends:
                      - { name: d1, address: 127.0.0.12:%d }
                """.formatted(fx.listenPort, backend.port, Ports.closed("127.0.0.12")));
    }

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    /** RFC 9112 6.1: no Transfer-Encoding in a response to an HTTP/1.0 request; the 1.0 client reads chunk sizes as data. */
    @Test
    void anHttp10ClientNeverGetsAChunkedResponse() throws Exception {
        start(Map.of("/chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /chunked HTTP/1.0\r\nHost: web.test\r\n\r\n");
            byte[] all = c.socket().getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertThat(text.toLowerCase()).doesNotContain("transfer-encoding");
            assertThat(text).endsWith("\r\n\r\nabc");
        }
    }

    /**
     * Bytes a backend sent beyond its response (here a 200 followed by the start of a 302) must not
     * become the head of the next response on that kept-alive connection, which may be another client's.
     */
    @Test
    void bytesLeftOverAfterAResponseNeverReachTheNextRequest() throws Exception {
        start(Map.of("/inject", OK + "HTTP/1.1 302 Found\r\nLocation: http://evil.example/\r\nX-Pad: ", "/ok", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /inject HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(200);
            Thread.sleep(200);
            RawHttp.Response next = c.send("GET /ok HTTP/1.1\r\nHost: web.test\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.header("location")).isNull();
        }
    }

    /** The same with a 204 that carries a body (RFC 9110 15.3.5 forbids it): the next request got a 502. */
    @Test
    void aNoContentResponseWithABodyDoesNotBreakTheNextRequest() throws Exception {
        start(Map.of("/204", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello", "/ok", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /204 HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(204);
            Thread.sleep(200);
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    /** 65 pipelined GETs in one write (more than Netty's default depth) are all answered. */
    @Test
    void manyPipelinedRequestsAreAnsweredNotDroppedSilently() throws Exception {
        start(Map.of("/ok", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /ok HTTP/1.1\r\nHost: web.test\r\n\r\n".repeat(65));
            for (int i = 0; i < 65; i++) {
                assertThat(c.read().status()).isEqualTo(200);
            }
        }
    }

    /**
     * More pipelined than dicomlb holds ahead (two objects a GET): those held are answered, the last
     * with Connection: close, and the connection ends; the client resends the rest (RFC 9112 9.3.2).
     */
    @Test
    void pipeliningBeyondWhatIsHeldAnswersThoseHeldThenCloses() throws Exception {
        start(Map.of("/ok", OK));
        int sent = RequestStream.MAX_HELD;
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /ok HTTP/1.1\r\nHost: web.test\r\n\r\n".repeat(sent));
            int answered = 0;
            RawHttp.Response last = null;
            while (true) {
                RawHttp.Response r;
                try {
                    r = c.read();
                } catch (IOException closed) {
                    break;
                }
                assertThat(r.status()).isEqualTo(200);
                answered++;
                last = r;
            }
            assertThat(answered).isBetween(RequestStream.MAX_HELD / 2 - 1, sent - 1);
            assertThat(last.header("connection")).isEqualTo("close");
        }
        assertThat(backend.heads).hasSizeLessThan(sent);
    }

    /** RFC 9112 3.2: Host is a host and an optional port; anything else is refused before it routes. */
    @Test
    void aHostThatIsNotAHostAndPortIsRefused() throws Exception {
        start(Map.of("/ok", OK));
        for (String host : new String[] {"web.test:abc", "web.test other.test", "dead.test/../web.test", "web.test:80:80",
                "[::1"}) {
            try (RawHttp c = new RawHttp(fx.front())) {
                RawHttp.Response r = c.send("GET /ok HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
                assertThat(r.status()).as(host).isEqualTo(400);
                assertThat(r.text()).isEqualTo("400 Bad Request: the Host header is not a host and port\n");
            }
        }
        for (String host : new String[] {"web.test", "web.test:8080", "127.0.0.1:80", "[::1]:443", "a-b_c~d.test"}) {
            try (RawHttp c = new RawHttp(fx.front())) {
                assertThat(c.send("GET /ok HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read().status()).as(host).isEqualTo(200);
            }
        }
    }

    /**
     * RFC 9112 6.1: a transfer coding other than chunked alone gets 501 (a backend reading the
     * first field would frame the body otherwise); chunked in any spelling reaches the backend as
     * one field "chunked".
     */
    @Test
    void transferCodingsOtherThanChunkedAloneAreRefusedAndChunkedIsSentInOneSpelling() throws Exception {
        start(Map.of("/ok", OK));
        for (String te : new String[] {"Transfer-Encoding: identity, chunked", "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked",
                "Transfer-Encoding: gzip, chunked"}) {
            try (RawHttp c = new RawHttp(fx.front())) {
                RawHttp.Response r = c.send("POST /ok HTTP/1.1\r\nHost: web.test\r\n" + te + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                        .read();
                assertThat(r.status()).as(te).isEqualTo(501);
                assertThat(r.header("connection")).isEqualTo("close");
            }
        }
        assertThat(backend.heads).isEmpty();
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("POST /ok HTTP/1.1\r\nHost: web.test\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
                    + "3\r\nabc\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        // The canned backend reads no chunks (it takes them for another head): the first head is the request's.
        assertThat(backend.heads.getFirst()).contains("\r\ntransfer-encoding: chunked\r\n").doesNotContain("CHUNKED");
    }

    /** "HTTP/2.0" in a request line is not HTTP/2 (505); HTTP2-Settings never reaches a backend. */
    @Test
    void http2InARequestLineGets505AndHttp2SettingsStops() throws Exception {
        start(Map.of("/ok", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /ok HTTP/2.0\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(505);
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost: web.test\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")
                    .read().status()).isEqualTo(200);
        }
        assertThat(backend.heads).singleElement().satisfies(h -> assertThat(h.toLowerCase()).doesNotContain("http2-settings"));
    }

    /** A status outside 100-599 is not HTTP: 502, and the client's connection goes on. */
    @Test
    void aStatusOutsideTheRangeIsAnInvalidResponse() throws Exception {
        start(Map.of("/99", "HTTP/1.1 099 Weird\r\nContent-Length: 0\r\n\r\n",
                "/999", "HTTP/1.1 999 Weird\r\nContent-Length: 0\r\n\r\n", "/ok", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /99 HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(502);
            assertThat(c.send("GET /999 HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(502);
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(200);
        }
        // Not HTTP is the backend's error, not a close (it counts against the backend as such).
        Eventually.until(() -> access.lines().size() >= 3, Duration.ofSeconds(5), access::lines);
        assertThat(access.lines().get(0)).contains("path=/99", "status=502", "end=backend_error");
    }

    /** An HTTP/1.0 request is logged as one; a request that could not be read has no made-up path. */
    @Test
    void theAccessLogSaysHttp10AndNoPathForAnUnreadableRequest() throws Exception {
        start(Map.of("/ok", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /ok HTTP/1.0\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(200);
        }
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost : web.test\r\n\r\n").read().status()).isEqualTo(400);
        }
        Eventually.until(() -> access.lines().size() >= 2, Duration.ofSeconds(5), access::lines);
        assertThat(access.lines().get(0)).contains("proto=HTTP/1.0", "method=GET", "path=/ok", "status=200");
        assertThat(access.lines().get(1)).contains("status=400", "path=-", "method=-").doesNotContain("bad-request");
    }

    /**
     * Expect: 100-continue answered by dicomlb itself (502) without Connection: close: the client,
     * which never sends the body, has the first Content-Length octets of its next request eaten.
     */
    @Test
    void anEarlyLocalAnswerToExpectContinueDoesNotEatTheNextRequest() throws Exception {
        start(Map.of("/ok", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("POST /x HTTP/1.1\r\nHost: dead.test\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 20\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            if (!"close".equalsIgnoreCase(r.header("connection"))) {
                assertThat(c.send("GET /ok HTTP/1.1\r\nHost: web.test\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
    }

    /** An HTTP/1.0 request without Host is sent on as HTTP/1.1, which needs one (RFC 9112 3.2). */
    @Test
    void anHttp10RequestWithoutHostReachesTheBackendWithAHost() throws Exception {
        start(Map.of("/ok", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send("GET /ok HTTP/1.0\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(backend.heads).singleElement().satisfies(h -> {
            assertThat(h).startsWith("GET /ok HTTP/1.1\r\n");
            assertThat(h.toLowerCase()).contains("\r\nhost:");
        });
    }

    /** Two pipelined requests then FIN (shutdown of the client's output): the second was never answered nor logged. */
    @Test
    void aHalfClosedClientGetsEveryPipelinedAnswer() throws Exception {
        start(Map.of("/a", OK, "/b", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /a HTTP/1.1\r\nHost: web.test\r\n\r\nGET /b HTTP/1.1\r\nHost: web.test\r\n\r\n");
            c.socket().shutdownOutput();
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(200);
        }
    }

    /** RFC 9112 3.2.2: the Host made from an absolute-form target excludes userinfo (and it must not be logged). */
    @Test
    void anAbsoluteFormTargetsUserinfoIsNotTheHost() throws Exception {
        start(Map.of("/p", OK));
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("GET http://user:secret@web.test/p HTTP/1.1\r\nHost: web.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text()).isEqualTo("400 Bad Request: the request target carries user information\n");
        }
        assertThat(backend.heads).isEmpty();
    }

    /** A backend that answers each request head with the canned bytes for its path, recording the heads. */
    static final class CannedBackend implements AutoCloseable {
        final int port;
        final List<String> heads = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final Map<String, String> answers;

        CannedBackend(String host, Map<String, String> answers) throws IOException {
            this.port = Ports.free(host);
            this.answers = answers;
            this.server = new ServerSocket(port, 50, InetAddress.getByName(host));
            Thread.ofVirtual().start(this::accept);
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                while (true) {
                    String head = head(in);
                    if (head == null) {
                        return;
                    }
                    heads.add(head);
                    int len = 0;
                    for (String l : head.split("\r\n")) {
                        if (l.toLowerCase().startsWith("content-length:")) {
                            len = Integer.parseInt(l.substring(15).strip());
                        }
                    }
                    in.readNBytes(len);
                    String path = head.split(" ")[1];
                    out.write(answers.getOrDefault(path, OK).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (IOException e) {
                // the connection ends
            }
        }

        private static String head(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
                String t = b.toString(StandardCharsets.ISO_8859_1);
                if (t.endsWith("\r\n\r\n")) {
                    return t;
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
