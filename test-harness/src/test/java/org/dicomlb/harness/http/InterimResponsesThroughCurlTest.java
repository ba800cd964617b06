package org.dicomlb.harness.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.ScriptedBackend;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.Tools;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interim (1xx) and bodiless responses through a TLS {@code mode: http} listener to curl, over
 * HTTP/1.1 and HTTP/2 (nghttp2, which checks what a server may send): 103 Early Hints and 102
 * before the final answer, with and without a request body in flight; Expect: 100-continue
 * answered by the backend's 100 or by an early 401; a 204 that announced a body. The backend
 * answers by hand ({@link ScriptedBackend}), as the faulty ones do.
 */
class InterimResponsesThroughCurlTest {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nserved";

    @TempDir
    Path work;
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private ScriptedBackend backend;
    private TestPki pki;
    private String curl;
    private Path upload;

    @BeforeEach
    void setUp() throws Exception {
        curl = Binaries.find("curl", "curl").toString();
        // More than one HTTP/2 window's worth (64 KiB by default), so that DATA is in flight when the 1xx come.
        upload = work.resolve("upload.bin");
        Files.write(upload, "0123456789abcdef".repeat(8192).getBytes(StandardCharsets.US_ASCII));
        backend = ScriptedBackend.start("127.0.0.32", InterimResponsesThroughCurlTest::serve);
        pki = TestPki.create(work.resolve("pki"), "site");
        TestPki.Issued cert = pki.server("viewer", TestPki.Names.cn("viewer.radiology.test").dns("viewer.radiology.test"));
        fx.start(Configs.httpListener(fx.listenPort, "b1", backend.hostPort(),
                "tls: { certificate: %s, key: %s }".formatted(cert.chain(), cert.key())));
    }

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        backend.closeAndCheck();
    }

    private static void serve(ScriptedBackend.Conn c) throws Exception {
        do {
            String length = c.header("content-length");
            int body = length == null ? 0 : Integer.parseInt(length);
            switch (c.head().split(" ")[1]) {
                case "/hints" -> {
                    // Before reading the body: the 1xx cross it. One is framed as if it had a body (it has none).
                    c.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\nContent-Length: 5\r\n\r\n"
                            + "HTTP/1.1 102 Processing\r\n\r\n"
                            + "HTTP/1.1 103 Early Hints\r\nLink: </app.js>; rel=preload; as=script\r\n\r\n");
                    c.readExactly(body);
                    c.write(OK);
                }
                case "/continue" -> {
                    if ("100-continue".equalsIgnoreCase(c.header("expect"))) {
                        c.write("HTTP/1.1 100 Continue\r\n\r\n");
                    }
                    int got = c.readExactly(body).length;
                    c.write("HTTP/1.1 200 OK\r\nContent-Length: " + Integer.toString(got).length() + "\r\n\r\n" + got);
                }
                case "/unauthorized" -> {
                    c.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope");
                    // The body is never read; dicomlb closes this connection.
                    c.readToEnd();
                    return;
                }
                // RFC 9110 15.3.5 forbids it; the connection is not reused, and the client must still get a valid 204.
                case "/no-content" -> c.write("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n");
                default -> {
                    if ("100-continue".equalsIgnoreCase(c.header("expect"))) {
                        c.write("HTTP/1.1 100 Continue\r\n\r\n");
                    }
                    c.readExactly(body);
                    c.write(OK);
                }
            }
        } while (c.readHead() != null);
    }

    private String url(String path) {
        return "https://viewer.radiology.test:" + fx.listenPort + path;
    }

    /**
     * curl -v resolving the certificate's name to 127.0.0.1 and trusting the test CA only; each
     * response's status follows in brackets ("[200]"), not always right behind its body.
     */
    private Tools.Result curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(curl, "-sS", "-v", "--max-time", "30", "-w", "[%{http_code}]",
                "--cacert", pki.caFile().toString(),
                "--resolve", "viewer.radiology.test:" + fx.listenPort + ":127.0.0.1"));
        cmd.addAll(List.of(args));
        return Tools.run(TOOL_TIMEOUT, work.resolve("curl"), cmd);
    }

    /**
     * 103, 102, 103 then 200, to a GET and to a POST whose body is in flight: HTTP/1.1 interim
     * responses, HTTP/2 HEADERS without END_STREAM. The 103 that said Content-Length used to reach
     * an HTTP/2 client with it, and curl reset the stream (exit 92, PROTOCOL_ERROR).
     */
    @Test
    void earlyHintsReachCurlOverBothProtocolsWithABodyInFlightOrNot() {
        for (String version : List.of("--http1.1", "--http2")) {
            String shown = version.equals("--http2") ? "HTTP/2 " : "HTTP/1.1 ";
            for (List<String> request : List.of(List.of(url("/hints")), List.of("--data-binary", "@" + upload, url("/hints")))) {
                List<String> args = new ArrayList<>(List.of(version, "-H", "Expect:"));
                args.addAll(request);
                Tools.Result r = curl(args.toArray(String[]::new));
                assertThat(r.ok()).as(r.toString()).isTrue();
                assertThat(r.output()).as(r.toString()).containsSubsequence("< " + shown + "103", "rel=preload; as=style",
                        "< " + shown + "102", "< " + shown + "103", "rel=preload; as=script", "< " + shown + "200");
                assertThat(r.output()).as(r.toString()).contains("served", "[200]").doesNotContain("PROTOCOL_ERROR");
            }
        }
        Eventually.until(() -> access.lines().size() >= 4, Duration.ofSeconds(10), access::lines);
        assertThat(access.lines()).hasSize(4).allMatch(l -> l.contains("path=/hints") && l.contains("status=200")
                && l.contains("end=complete"));
    }

    /**
     * Expect: 100-continue over both protocols: the backend's 100 reaches curl, which sends its
     * body at once (it would otherwise wait out --expect100-timeout) and gets the final answer; a
     * backend's early 401 reaches it with no body sent, and the next request is answered (HTTP/1.1
     * on a new connection, as the first was closed; HTTP/2 on the same one, its stream ended).
     */
    @Test
    void expectContinueThroughCurlGetsTheHundredOrTheEarlyAnswer() {
        for (String version : List.of("--http1.1", "--http2")) {
            Tools.Result r = curl(version, "--expect100-timeout", "20", "-H", "Expect: 100-continue",
                    "--data-binary", "@" + upload, url("/continue"));
            assertThat(r.ok()).as(r.toString()).isTrue();
            assertThat(r.output()).as(r.toString()).containsPattern("< HTTP/(1\\.1|2) 100")
                    .doesNotContain("Done waiting for 100-continue").contains("131072", "[200]");
            Tools.Result early = curl(version, "--expect100-timeout", "20", "-H", "Expect: 100-continue",
                    "--data-binary", "@" + upload, url("/unauthorized"), url("/next"));
            assertThat(early.ok()).as(early.toString()).isTrue();
            assertThat(early.output()).as(early.toString()).containsPattern("< HTTP/(1\\.1|2) 401")
                    .contains("nope", "[401]", "served", "[200]").doesNotContain("Done waiting for 100-continue");
        }
        Eventually.until(() -> access.lines().size() >= 6, Duration.ofSeconds(10), access::lines);
        assertThat(access.lines()).filteredOn(l -> l.contains("path=/unauthorized")).hasSize(2)
                .allMatch(l -> l.contains("status=401") && l.contains("bytes_in=0"));
    }

    /**
     * A 204 whose backend announced a body: it used to reach an HTTP/2 client with its
     * Content-Length, and curl reset the stream (RFC 9110 8.6: no Content-Length in a 204).
     */
    @Test
    void aNoContentThatAnnouncedABodyReachesCurlOverBothProtocols() {
        for (String version : List.of("--http1.1", "--http2")) {
            Tools.Result r = curl(version, url("/no-content"), url("/next"));
            assertThat(r.ok()).as(r.toString()).isTrue();
            assertThat(r.output()).as(r.toString()).containsPattern("< HTTP/(1\\.1|2) 204").contains("[204]", "served", "[200]")
                    .doesNotContain("PROTOCOL_ERROR").doesNotContainIgnoringCase("content-length: 5");
        }
    }
}
