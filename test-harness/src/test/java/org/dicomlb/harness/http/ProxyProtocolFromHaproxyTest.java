package org.dicomlb.harness.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.PeerProcess;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HAProxy in front of an http listener that trusts it ({@code proxy-protocol.trusted}), sending
 * {@code send-proxy-v2} in {@code mode tcp} and in {@code mode http}: dicomlb takes the client
 * HAProxy names (a client on 127.0.0.5) as the client, in the access log and in
 * {@code X-Forwarded-For}, with HAProxy as {@code via}. HAProxy's own health checks
 * ({@code check-send-proxy}: a {@code LOCAL} header) are served with HAProxy as the client.
 */
class ProxyProtocolFromHaproxyTest {
    private static final String CLIENT_HOST = "127.0.0.5";
    @TempDir
    Path work;
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private HttpTestBackend backend;
    private PeerProcess haproxy;

    @AfterEach
    void tearDown() {
        if (haproxy != null) {
            haproxy.close();
        }
        access.close();
        fx.close();
        if (backend != null) {
            backend.close();
        }
    }

    private PeerProcess haproxy(String mode) throws IOException {
        int port = Ports.free("127.0.0.1");
        Path cfg = Files.writeString(work.resolve("haproxy-" + mode + ".cfg"), """
                defaults
                    mode %s
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                    # The checks share a busy machine with the tests: a slow answer is not a dead server.
                    timeout check 5s
                frontend fe
                    bind 127.0.0.1:%d
                    default_backend be
                backend be
                    option httpchk GET /headers
                    server lb 127.0.0.1:%d send-proxy-v2 check check-send-proxy inter 300ms fall 10
                """.formatted(mode, port, fx.listenPort));
        return PeerProcess.startListeningOn("haproxy", work, List.of(Binaries.find("haproxy", "haproxy").toString(),
                "-db", "-f", cfg.toString()), port, Duration.ofSeconds(10));
    }

    /** One request from 127.0.0.5 through HAProxy; returns the response and the client's port. */
    private static String get(int port, int[] clientPort) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(15_000);
            s.bind(new InetSocketAddress(CLIENT_HOST, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            clientPort[0] = s.getLocalPort();
            s.getOutputStream().write("GET /headers HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void dicomlbLogsTheClientHaproxyNamesInTcpAndHttpMode() throws Exception {
        backend = HttpTestBackend.start("b1", "127.0.0.11");
        fx.start(Configs.httpListener(fx.listenPort, backend, "proxy-protocol: { trusted: [127.0.0.1/32] }", ""));
        for (String mode : List.of("tcp", "http")) {
            haproxy = haproxy(mode);
            int[] client = new int[1];
            String response = get(haproxy.port(), client);
            assertThat(response).as(mode + "\nhaproxy: " + haproxy.log()).startsWith("HTTP/1.1 200")
                    .contains("x-forwarded-for: " + CLIENT_HOST + "\n");
            String named = "client=" + CLIENT_HOST + ":" + client[0] + " ";
            Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains(named)), Duration.ofSeconds(10),
                    access::lines);
            assertThat(access.lines().stream().filter(l -> l.contains(named)).findFirst().orElseThrow())
                    .contains("via=127.0.0.1:", "status=200", "end=complete");
            // HAProxy's checks came with a LOCAL header: served, with HAProxy as the client.
            Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains("client=127.0.0.1:") && l.contains("status=200")),
                    Duration.ofSeconds(10), access::lines);
            assertThat(access.lines()).noneMatch(l -> l.contains("end=proxy_header"));
            haproxy.close();
            haproxy = null;
        }
    }
}
