package org.dicomlb.harness.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.dicomlb.engine.EngineStatus;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.Tools;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * curl (OpenSSL and nghttp2) through a TLS-terminating {@code mode: http} listener to nginx, the
 * pool health-checked over HTTP: HTTP/2 negotiated by ALPN (visible in {@code curl -v}), many
 * streams multiplexed on one client connection, HTTP/1.1 for a client that asks for it, the
 * forwarded headers as nginx receives them, and plain HTTP to the TLS port failing cleanly with
 * no HTTP answer.
 */
class CurlThroughHttpListenerTest {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern CLIENT = Pattern.compile(" client=(\\S+) ");

    @TempDir
    Path work;
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private NginxBackend nginx;
    private TestPki pki;
    private String curl;

    @BeforeEach
    void setUp() throws Exception {
        curl = Binaries.find("curl", "curl").toString();
        nginx = NginxBackend.start(work.resolve("nginx"));
        Files.writeString(nginx.root().resolve("study.json"), "{\"study\":\"1.2.3\"}\n");
        pki = TestPki.create(work.resolve("pki"), "site");
        TestPki.Issued cert = pki.server("viewer", TestPki.Names.cn("viewer.radiology.test").dns("viewer.radiology.test"));
        fx.start("""
                listeners:
                  - name: viewer
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: web
                    tls: { certificate: %s, key: %s }
                pools:
                  - name: web
                    health-check: { type: http, path: /health, expect-status: [200], expect-body: ok, interval: 500ms }
                    backends:
                      - { name: nginx1, address: %s }
                """.formatted(fx.listenPort, cert.chain(), cert.key(), nginx.address()));
        Eventually.until(() -> "up".equals(backend().health()), Duration.ofSeconds(20), () -> backend().toString());
    }

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        if (nginx != null) {
            nginx.close();
        }
    }

    private EngineStatus.BackendStatus backend() {
        return fx.engine.status().pools().getFirst().backends().getFirst();
    }

    private String url(String path) {
        return "https://viewer.radiology.test:" + fx.listenPort + path;
    }

    /** curl resolving the certificate's name to 127.0.0.1 and trusting the test CA only. */
    private Tools.Result curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(curl, "-sS", "--max-time", "30", "--cacert", pki.caFile().toString(),
                "--resolve", "viewer.radiology.test:" + fx.listenPort + ":127.0.0.1"));
        cmd.addAll(List.of(args));
        return Tools.run(TOOL_TIMEOUT, work.resolve("curl"), cmd);
    }

    @Test
    void http2ByAlpnWithStreamsMultiplexedOnOneConnection() {
        Tools.Result one = curl("-v", "--http2", url("/study.json"));
        assertThat(one.ok()).as(one.toString()).isTrue();
        assertThat(one.output()).as(one.toString()).contains("ALPN: server accepted h2", "< HTTP/2 200", "{\"study\":\"1.2.3\"}");

        List<String> args = new ArrayList<>(List.of("--no-progress-meter", "--http2", "--parallel", "--parallel-max", "20",
                "-w", "[%{http_version} %{http_code}]\\n"));
        for (int i = 0; i < 20; i++) {
            args.addAll(List.of("-o", "/dev/null", url("/study.json?n=" + i)));
        }
        Tools.Result many = curl(args.toArray(String[]::new));
        assertThat(many.ok()).as(many.toString()).isTrue();
        assertThat(Pattern.compile("\\[2 200]").matcher(many.output()).results().count()).as(many.toString()).isEqualTo(20);
        Eventually.until(() -> access.lines().size() >= 21, Duration.ofSeconds(10), access::lines);
        List<String> lines = access.lines().subList(1, 21);
        assertThat(lines).allMatch(l -> l.contains("proto=HTTP/2.0") && l.contains("status=200") && l.contains("backend=nginx1"));
        assertThat(lines.stream().map(CurlThroughHttpListenerTest::client).collect(Collectors.toSet()))
                .as("curl multiplexes its 20 requests on one connection").hasSize(1);
    }

    private static String client(String line) {
        Matcher m = CLIENT.matcher(line);
        return m.find() ? m.group(1) : line;
    }

    @Test
    void http11WhenTheClientAsksForItAndTheForwardedHeadersNginxReceives() {
        Tools.Result r = curl("-v", "--http1.1", url("/whoami"));
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.output()).as(r.toString()).contains("ALPN: server accepted http/1.1", "< HTTP/1.1 200",
                "xff=127.0.0.1\n", "proto=https\n", "xhost=viewer.radiology.test:" + fx.listenPort + "\n",
                "forwarded=for=127.0.0.1;proto=https;host=\"viewer.radiology.test:" + fx.listenPort + "\"\n",
                "host=viewer.radiology.test:" + fx.listenPort + "\n");
        // A client's own X-Forwarded-For is not believed from an untrusted source: replaced, not extended.
        Tools.Result spoofed = curl("--http2", "-H", "X-Forwarded-For: 203.0.113.9", url("/whoami"));
        assertThat(spoofed.output()).as(spoofed.toString()).contains("xff=127.0.0.1\n").doesNotContain("203.0.113.9");
    }

    @Test
    void plainHttpToTheTlsListenerFailsCleanly() {
        Tools.Result r = Tools.run(TOOL_TIMEOUT, work.resolve("curl"), List.of(curl, "-sS", "-v", "--max-time", "30",
                "http://127.0.0.1:" + fx.listenPort + "/study.json"));
        assertThat(r.ok()).as(r.toString()).isFalse();
        // curl 52 "Empty reply from server" or 56 "Recv failure": the connection closed, no HTTP status line came back.
        assertThat(r.exitCode()).as(r.toString()).isIn(52, 56);
        assertThat(r.output()).as(r.toString()).doesNotContain("< HTTP/");
        Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains("end=tls_handshake")), Duration.ofSeconds(10),
                access::lines);
        // The listener goes on serving TLS clients.
        Tools.Result ok = curl("--http2", url("/health"));
        assertThat(ok.output()).as(ok.toString()).isEqualTo("ok\n");
    }
}
