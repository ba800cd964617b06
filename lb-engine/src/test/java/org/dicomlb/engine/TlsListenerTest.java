package org.dicomlb.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tcp listener terminating TLS in front of a plain backend that speaks first: bytes both ways,
 * a renewed certificate taken by a reload without dropping the connection that is open, a
 * broken renewal refused, and a source over its limit closed cleanly before any handshake.
 */
class TlsListenerTest {
    @TempDir
    Path dir;
    private final EngineFixture fx = new EngineFixture();
    private TestPki pki;
    private Path cert;
    private Path key;

    @BeforeEach
    void setUp() throws Exception {
        fx.backends(1);
        pki = TestPki.create(dir, "engine");
        install(pki.server("first", TestPki.Names.cn("dicomlb.test").ip("127.0.0.1")));
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** Puts a certificate where the configuration points, as a renewal tool would (rename over). */
    private void install(TestPki.Issued issued) throws Exception {
        cert = dir.resolve("live.crt");
        key = dir.resolve("live.key");
        Files.copy(issued.chain(), dir.resolve("live.crt.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(issued.key(), dir.resolve("live.key.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(dir.resolve("live.crt.tmp"), cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(dir.resolve("live.key.tmp"), key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private String yaml(String extra) {
        return """
                listeners:
                  - name: front
                    bind: 127.0.0.1:%d
                    pool: p
                    tls: { certificate: %s, key: %s }
                %s
                pools:
                  - name: p
                    health-check: none
                    backends:
                %s""".formatted(fx.listenPort, cert, key, extra.indent(4), fx.backendItems());
    }

    private SSLSocket connect(String from) throws Exception {
        SSLContext c = pki.trustingContext();
        Socket plain = new Socket();
        plain.setSoTimeout(15_000);
        plain.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        plain.connect(fx.front(), 15_000);
        SSLSocket s = (SSLSocket) c.getSocketFactory().createSocket(plain, "127.0.0.1", fx.listenPort, true);
        s.startHandshake();
        return s;
    }

    private static String line(SSLSocket s) throws Exception {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    private static String echo(SSLSocket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] buf = new byte[text.length() + 1];
        int n = 0;
        while (n < buf.length) {
            int r = s.getInputStream().read(buf, n, buf.length - n);
            assertThat(r).as("echo cut short").isPositive();
            n += r;
        }
        return new String(buf, StandardCharsets.US_ASCII).strip();
    }

    private static BigInteger serial(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    @Test
    void aRenewedCertificateIsTakenOnReloadWhileTheOpenConnectionContinues() throws Exception {
        fx.start(yaml(""));
        try (SSLSocket first = connect("127.0.0.1")) {
            // The backend speaks first: its greeting reaches the client through TLS.
            assertThat(line(first)).isEqualTo("b1");
            assertThat(echo(first, "before renewal")).isEqualTo("before renewal");
            BigInteger oldSerial = serial(first);

            TestPki.Issued renewed = pki.server("renewed", TestPki.Names.cn("dicomlb.test").ip("127.0.0.1"));
            install(renewed);
            assertThat(fx.apply(yaml("")).applied()).isTrue();

            assertThat(echo(first, "after renewal")).as("the open connection keeps its session").isEqualTo("after renewal");
            assertThat(fx.metric("dicomlb_listener_tls_certificate_not_after_seconds{listener=\"front\"}"))
                    .as("the expiry gauge follows the renewal").isEqualTo((double) renewed.x509().getNotAfter().toInstant().getEpochSecond());
            try (SSLSocket second = connect("127.0.0.1")) {
                assertThat(serial(second)).isEqualTo(renewed.x509().getSerialNumber()).isNotEqualTo(oldSerial);
                assertThat(line(second)).isEqualTo("b1");
            }

            // A renewal whose key does not match is refused; the listener keeps the renewed certificate.
            Files.copy(pki.strayKey("stray"), key, StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> fx.apply(yaml(""))).hasMessageContaining("does not belong to the certificate");
            try (SSLSocket third = connect("127.0.0.1")) {
                assertThat(serial(third)).isEqualTo(renewed.x509().getSerialNumber());
            }
            assertThat(echo(first, "still here")).isEqualTo("still here");
        }
        assertThat(fx.metric("dicomlb_listener_connections_total{listener=\"front\"}")).isEqualTo(3);
    }

    @Test
    void aSourceOverItsLimitIsClosedBeforeAnyHandshakeAndOthersAreServed() throws Exception {
        fx.start(yaml("source-limits: { connections: 1 }"));
        try (SSLSocket held = connect("127.0.0.21")) {
            assertThat(line(held)).isEqualTo("b1");
            assertThatThrownBy(() -> connect("127.0.0.21")).isInstanceOf(SSLException.class);
            try (SSLSocket other = connect("127.0.0.22")) {
                assertThat(line(other)).isEqualTo("b1");
            }
        }
        assertThat(fx.metric("dicomlb_listener_rejected_total{listener=\"front\",reason=\"source_connections\"}")).isEqualTo(1);
    }

    @Test
    void aPlainTcpSourceOverItsLimitGetsAnOrderlyClose() throws Exception {
        fx.start(yaml("source-limits: { connections: 1 }").replaceFirst("    tls: \\{[^}]*}\n", ""));
        try (Socket held = new Socket()) {
            held.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.21"), 0));
            held.connect(fx.front(), 15_000);
            held.setSoTimeout(15_000);
            assertThat(new BufferedReader(new InputStreamReader(held.getInputStream())).readLine()).isEqualTo("b1");
            try (Socket refused = new Socket()) {
                refused.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.21"), 0));
                refused.connect(fx.front(), 15_000);
                refused.setSoTimeout(15_000);
                refused.getOutputStream().write("a request nobody will read\n".getBytes(StandardCharsets.US_ASCII));
                // A FIN, not a reset: the client reads end of stream.
                assertThat(refused.getInputStream().read()).isEqualTo(-1);
            }
        }
    }
}
