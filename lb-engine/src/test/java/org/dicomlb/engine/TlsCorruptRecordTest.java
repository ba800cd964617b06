package org.dicomlb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that, after a completed TLS 1.3 handshake, sends an application-data record that does
 * not decrypt (a corrupted or forged record) is disconnected at once on every kind of TLS
 * listener, with the error in the access log, instead of being held until a timeout. With Netty's
 * OpenSSL engine (the provider in use here) the error used to wait for our next write, which a
 * proxy waiting for the client never makes (see TlsReadErrors). The JDK provider closes at once
 * on its own, but there the SslHandler closes the channel before the error reaches the frontend,
 * so its access-log line says {@code end=client_close}. The same holds for a backend that sends
 * such a record on a pool's TLS connection: the request gets its 502 (or the relay ends) at once,
 * logged as the backend's error, instead of at {@code timeouts.response}.
 */
class TlsCorruptRecordTest {
    /** Well under every timeout that would otherwise end the connection (request: 10s, response: 60s, idle: 30m). */
    private static final int CLOSED_WITHIN_MILLIS = 5_000;

    @TempDir
    Path dir;
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private HttpTestBackend http;
    private TestPki pki;
    private TestPki.Issued cert;

    @BeforeEach
    void setUp() {
        pki = TestPki.create(dir, "corrupt");
        cert = pki.server("server", TestPki.Names.cn("dicomlb.test").ip("127.0.0.1"));
    }

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        if (http != null) {
            http.close();
        }
    }

    private void start(String mode, String backendAddress) throws Exception {
        fx.start("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:%d
                    mode: %s
                    pool: p
                    tls: { certificate: %s, key: %s }
                pools:
                  - name: p
                    health-check: none
                    backends:
                      - { name: b1, address: %s }
                """.formatted(fx.listenPort, mode, cert.chain(), cert.key(), backendAddress));
    }

    @Test
    void anIdleHttpConnectionIsClosed() throws Exception {
        http = HttpTestBackend.start("b1", "127.0.0.11");
        start("http", http.hostPort());
        try (Socket raw = new Socket("127.0.0.1", fx.listenPort)) {
            handshake(raw);
            assertClosedAfterCorruptRecord(raw);
        }
        assertLogged("end=client_error");
    }

    @Test
    void anHttpRequestWithItsBodyInFlightIsEnded() throws Exception {
        http = HttpTestBackend.start("b1", "127.0.0.11");
        start("http", http.hostPort());
        try (Socket raw = new Socket("127.0.0.1", fx.listenPort)) {
            SSLSocket tls = handshake(raw);
            tls.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: dicomlb.test\r\nContent-Length: 1000\r\n\r\n0123456789"
                    .getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            Eventually.until(() -> http.connections() == 1, Duration.ofSeconds(5), http::connections);
            assertClosedAfterCorruptRecord(raw);
        }
        // Within seconds, not at timeouts.idle: the request's line, for a client gone mid-request
        // (end=client_aborted, as when it resets), without an answer.
        assertLogged("method=POST");
        assertThat(access.lines()).singleElement().satisfies(l -> assertThat(l).contains("status=-", "bytes_in=10", "end=client_aborted"));
    }

    @Test
    void aTcpConnectionIsClosed() throws Exception {
        fx.backends(1);
        start("tcp", fx.backend(0).hostPort());
        try (Socket raw = new Socket("127.0.0.1", fx.listenPort)) {
            SSLSocket tls = handshake(raw);
            // The backend speaks first: the relay is up.
            byte[] greeting = new byte[3];
            assertThat(tls.getInputStream().readNBytes(greeting, 0, 3)).isEqualTo(3);
            assertThat(new String(greeting, StandardCharsets.US_ASCII)).isEqualTo("b1\n");
            assertClosedAfterCorruptRecord(raw);
        }
        assertLogged("end=client_error");
    }

    @Test
    void aDicomConnectionWaitingForItsAssociationRequestIsClosed() throws Exception {
        fx.backends(1);
        start("dicom", fx.backend(0).hostPort());
        try (Socket raw = new Socket("127.0.0.1", fx.listenPort)) {
            handshake(raw);
            assertClosedAfterCorruptRecord(raw);
        }
        assertLogged("end=client_error");
    }

    @Test
    void aBackendsCorruptRecordGetsTheRequestA502AtOnce() throws Exception {
        try (CorruptingBackend b = new CorruptingBackend(true)) {
            startReEncrypting("http", b);
            try (Socket c = new Socket("127.0.0.1", fx.listenPort)) {
                c.setSoTimeout(CLOSED_WITHIN_MILLIS);
                c.getOutputStream().write("GET /a HTTP/1.1\r\nHost: dicomlb.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String head = readHead(c.getInputStream());
                assertThat(head).startsWith("HTTP/1.1 502 ");
            }
        }
        assertLogged("method=GET");
        assertThat(access.lines()).singleElement().satisfies(l -> assertThat(l).contains("status=502", "end=backend_error"));
    }

    @Test
    void aBackendsCorruptRecordEndsATcpRelay() throws Exception {
        try (CorruptingBackend b = new CorruptingBackend(false)) {
            startReEncrypting("tcp", b);
            try (Socket c = new Socket("127.0.0.1", fx.listenPort)) {
                c.setSoTimeout(CLOSED_WITHIN_MILLIS);
                try {
                    assertThat(c.getInputStream().read()).isEqualTo(-1);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the relay was still open " + CLOSED_WITHIN_MILLIS + " ms after the backend's corrupted record", e);
                }
            }
        }
        assertLogged("end=backend_error");
    }

    /** A plain listener whose pool speaks TLS to {@code b}, trusting the test CA. */
    private void startReEncrypting(String mode, CorruptingBackend b) throws Exception {
        fx.start("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:%d
                    mode: %s
                    pool: p
                pools:
                  - name: p
                    health-check: none
                    tls: { ca: %s }
                    backends:
                      - { name: b1, address: %s }
                """.formatted(fx.listenPort, mode, pki.caFile(), b.hostPort()));
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        try {
            int c;
            while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                head.append((char) c);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + CLOSED_WITHIN_MILLIS + " ms of the backend's corrupted record; read: " + head, e);
        }
        return head.toString();
    }

    /**
     * A TLS 1.3 backend on 127.0.0.12 (the JDK's provider) that completes the handshake with
     * dicomlb, reads a request's head if told to (an http backend) or nothing (a backend that
     * speaks first), then writes a record that is no ciphertext of the session under the TLS
     * layer, and holds the connection open: only dicomlb can end it.
     */
    private final class CorruptingBackend implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;
        private volatile Socket accepted;

        CorruptingBackend(boolean readsRequest) throws IOException {
            server = new ServerSocket(Ports.free("127.0.0.12"), 8, InetAddress.getByName("127.0.0.12"));
            SSLContext ctx = TestPki.serverContext(pki.server("backend", TestPki.Names.cn("backend.test").ip("127.0.0.12")));
            thread = Thread.ofVirtual().start(() -> {
                try (Socket raw = server.accept()) {
                    accepted = raw;
                    raw.setSoTimeout(15_000);
                    SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(raw, null, raw.getPort(), false);
                    tls.setUseClientMode(false);
                    tls.setEnabledProtocols(new String[] {"TLSv1.3"});
                    tls.startHandshake();
                    if (readsRequest) {
                        readHead(tls.getInputStream());
                    }
                    raw.getOutputStream().write(corruptRecord());
                    raw.getOutputStream().flush();
                    while (raw.getInputStream().read() >= 0) {
                        // until dicomlb closes (or the socket's timeout ends the test's wait)
                    }
                } catch (IOException | AssertionError e) {
                    // closed by dicomlb or by the test's end
                }
            });
        }

        String hostPort() {
            return "127.0.0.12:" + server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            if (accepted != null) {
                accepted.close();
            }
            thread.join(20_000);
        }
    }

    /** A TLS 1.3 handshake over {@code raw}, which stays open for writing around the TLS layer. */
    private SSLSocket handshake(Socket raw) throws Exception {
        raw.setSoTimeout(CLOSED_WITHIN_MILLIS);
        SSLSocket s = (SSLSocket) pki.trustingContext().getSocketFactory().createSocket(raw, "127.0.0.1", fx.listenPort, false);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        s.startHandshake();
        return s;
    }

    /**
     * Writes an application-data record header for 32 bytes and 32 bytes that are no ciphertext
     * of this session, then reads the raw socket: dicomlb must close it (what it sends before
     * the FIN, session tickets or an alert, is not looked at).
     */
    private static void assertClosedAfterCorruptRecord(Socket raw) throws IOException {
        raw.getOutputStream().write(corruptRecord());
        raw.getOutputStream().flush();
        InputStream in = raw.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // TLS bytes before the end
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was still open " + CLOSED_WITHIN_MILLIS + " ms after the corrupted record", e);
        } catch (IOException e) {
            // A reset is an end too.
        }
    }

    /** An application-data record header for 32 bytes, and 32 bytes that are no ciphertext of any session. */
    private static byte[] corruptRecord() {
        byte[] record = new byte[5 + 32];
        Arrays.fill(record, (byte) 'Z');
        record[0] = 0x17;
        record[1] = 0x03;
        record[2] = 0x03;
        record[3] = 0x00;
        record[4] = 0x20;
        return record;
    }

    private void assertLogged(String text) {
        Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains(text)), Duration.ofSeconds(5), access::lines);
    }
}
