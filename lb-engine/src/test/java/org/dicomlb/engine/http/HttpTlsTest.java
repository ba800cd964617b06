package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp2;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An http listener terminating TLS: HTTP/2 by ALPN (many streams on one connection, bodies both
 * ways), HTTP/1.1 for clients that ask for it (or when http2 is off), plain HTTP refused without
 * an HTTP answer, a renewed certificate taken on reload while an open connection continues, and
 * re-encryption towards an HTTPS backend whose certificate is verified.
 */
class HttpTlsTest {
    @TempDir
    Path dir;
    private final EngineFixture fx = new EngineFixture();
    private final List<HttpTestBackend> backends = new ArrayList<>();
    private final LogCapture access = LogCapture.accessLog();
    private TestPki pki;
    private Path cert;
    private Path key;

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.create(dir, "web");
        install(pki.server("first", TestPki.Names.cn("viewer.test").dns("viewer.test").ip("127.0.0.1")));
    }

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        backends.forEach(HttpTestBackend::close);
    }

    private void install(TestPki.Issued issued) throws Exception {
        cert = dir.resolve("live.crt");
        key = dir.resolve("live.key");
        Files.copy(issued.chain(), dir.resolve("live.crt.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(issued.key(), dir.resolve("live.key.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(dir.resolve("live.crt.tmp"), cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(dir.resolve("live.key.tmp"), key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private HttpTestBackend backend(HttpTestBackend b) {
        backends.add(b);
        return b;
    }

    private String yaml(String listenerExtra, String poolExtra, HttpTestBackend b) {
        return Configs.httpsListener(fx.listenPort, cert, key, b, listenerExtra, poolExtra);
    }

    private HttpClient client(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder().sslContext(sslContext()).version(version).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private SSLContext sslContext() {
        return pki.trustingContext();
    }

    private URI uri(String path) {
        return URI.create("https://127.0.0.1:" + fx.listenPort + path);
    }

    @Test
    void http2ClientsGetHttp2WithManyStreamsAndBodiesBothWays() throws Exception {
        HttpTestBackend b = backend(HttpTestBackend.start("b1", "127.0.0.11"));
        fx.start(yaml("", "", b));
        HttpClient client = client(HttpClient.Version.HTTP_2);
        // The JDK client opens a connection per request until its first HTTP/2 connection is up.
        assertThat(client.send(HttpRequest.newBuilder(uri("/name")).build(), HttpResponse.BodyHandlers.ofString()).version())
                .isEqualTo(HttpClient.Version.HTTP_2);
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            inFlight.add(client.sendAsync(HttpRequest.newBuilder(uri("/slow/50")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> r = f.get();
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("b1");
        }
        byte[] body = new byte[8 * 1024 * 1024];
        new Random(3).nextBytes(body);
        HttpResponse<byte[]> echoed = client.send(HttpRequest.newBuilder(uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(echoed.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(echoed.body()).isEqualTo(body);
        // Backends hear HTTP/1.1 with the request's host, and the scheme the client used.
        HttpResponse<String> headers = client.send(HttpRequest.newBuilder(uri("/headers")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(headers.body()).contains("host: 127.0.0.1:" + fx.listenPort, "x-forwarded-proto: https")
                .doesNotContain("x-http2");
        Eventually.until(() -> access.lines().size() >= 43, Duration.ofSeconds(5), access::lines);
        assertThat(access.lines()).allMatch(l -> l.contains("proto=HTTP/2.0") && l.contains(" tls=TLSv1."));
        assertThat(fx.metric("dicomlb_listener_connections_total{listener=\"web\"}")).isEqualTo(1);
    }

    @Test
    void http11ClientsAndListenersWithoutHttp2GetHttp11() throws Exception {
        HttpTestBackend b = backend(HttpTestBackend.start("b1", "127.0.0.11"));
        fx.start(yaml("", "", b));
        HttpResponse<String> r = client(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(uri("/name")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.body()).isEqualTo("b1");
        assertThat(fx.apply(yaml("http2: false", "", b)).applied()).isTrue();
        HttpResponse<String> h1 = client(HttpClient.Version.HTTP_2).send(HttpRequest.newBuilder(uri("/name")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(h1.body()).isEqualTo("b1");
    }

    /**
     * A connection error (RFC 9113 section 6.9: a WINDOW_UPDATE of 0 for the connection) is
     * answered with GOAWAY carrying PROTOCOL_ERROR, not NO_ERROR, and the connection closes.
     */
    @Test
    void anHttp2ConnectionErrorGetsGoawayWithItsErrorCode() throws Exception {
        HttpTestBackend b = backend(HttpTestBackend.start("b1", "127.0.0.11"));
        fx.start(yaml("", "", b));
        try (RawHttp2 h2 = RawHttp2.open(sslContext(), fx.listenPort)) {
            h2.frame(RawHttp2.WINDOW_UPDATE, 0, 0, new byte[4]).flush(); // an increment of 0, for the connection
            assertThat(h2.await(RawHttp2.GOAWAY, 0).errorCode()).as("GOAWAY error code").isEqualTo(RawHttp2.PROTOCOL_ERROR);
            h2.awaitClosed();
        }
    }

    /**
     * A malformed request (RFC 9113 section 8.3.1: no :path) resets its stream
     * with PROTOCOL_ERROR, not CANCEL, gets an access-log line, and the connection goes on.
     */
    @Test
    void aMalformedHttp2StreamIsResetWithProtocolErrorAndLogged() throws Exception {
        HttpTestBackend b = backend(HttpTestBackend.start("b1", "127.0.0.11"));
        fx.start(yaml("", "", b));
        try (RawHttp2 h2 = RawHttp2.open(sslContext(), fx.listenPort)) {
            // HPACK by hand: :method GET, :scheme https (static table), :authority viewer.test
            // (indexed name), and no :path.
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            block.write(0x82);
            block.write(0x87);
            RawHttp2.literal(block, 1, "viewer.test");
            h2.frame(RawHttp2.HEADERS, RawHttp2.END_STREAM | RawHttp2.END_HEADERS, 1, block.toByteArray()).flush();
            assertThat(h2.await(RawHttp2.RST_STREAM, 1).errorCode()).as("RST_STREAM error code")
                    .isEqualTo(RawHttp2.PROTOCOL_ERROR);
        }
        assertThat(b.requests()).isZero();
        Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains("end=protocol")), Duration.ofSeconds(5),
                access::lines);
        assertThat(access.lines()).filteredOn(l -> l.contains("end=protocol")).singleElement()
                .satisfies(l -> assertThat(l).contains("proto=HTTP/2.0", "status=-"));
    }

    /**
     * dicomlb's own answer (docs/http.md, "Error statuses") to an HTTP/2 request whose body is
     * still coming reaches the client: the stream is reset (NO_ERROR) only after the answer has
     * been sent; a reset sent at once would overtake the DATA waiting for the window, and the
     * client would see the reset instead of the status.
     */
    @Test
    void aLocalAnswerToAnHttp2UploadReachesTheClient() throws Exception {
        HttpTestBackend b = backend(HttpTestBackend.start("b1", "127.0.0.11"));
        // Only /only/ is routed: the listener's own pool is taken out of the configuration.
        fx.start(yaml("routes:\n  - { path-prefix: /only/, pool: p }", "", b).replace("    pool: p\n    tls:", "    tls:"));
        HttpClient client = client(HttpClient.Version.HTTP_2);
        // Without a body: 404, as documented.
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri("/elsewhere")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(get.statusCode()).isEqualTo(404);
        // With a body still coming when dicomlb answers: the client gets the 404 too.
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri("/elsewhere"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4 * 1024 * 1024])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(404);
        assertThat(post.body()).contains("no route");
    }

    @Test
    void plainHttpToATlsListenerGetsNoHttpAnswerAndIsLogged() throws Exception {
        HttpTestBackend b = backend(HttpTestBackend.start("b1", "127.0.0.11"));
        fx.start(yaml("", "", b));
        try (Socket s = new Socket("127.0.0.1", fx.listenPort)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET /name HTTP/1.1\r\nHost: viewer.test\r\nAuthorization: Basic YWRtaW46aHVudGVyMg==\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] got = in.readAllBytes();
            assertThat(new String(got, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/");
        }
        assertThat(b.requests()).isZero();
        Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains("end=tls_handshake")), Duration.ofSeconds(5),
                access::lines);
        // What the client sent (here its credentials) is not logged, not even in hex.
        assertThat(access.lines()).filteredOn(l -> l.contains("end=tls_handshake")).singleElement()
                .satisfies(l -> assertThat(l).contains("tls_error=\"not an SSL/TLS record\"").doesNotContain("474554"));
    }

    @Test
    void aRenewedCertificateIsTakenOnReloadWithoutDroppingTheOpenConnection() throws Exception {
        HttpTestBackend b = backend(HttpTestBackend.start("b1", "127.0.0.11"));
        fx.start(yaml("", "", b));
        HttpClient open = client(HttpClient.Version.HTTP_2);
        HttpResponse<String> before = open.send(HttpRequest.newBuilder(uri("/name")).build(), HttpResponse.BodyHandlers.ofString());
        BigInteger oldSerial = serial(before);
        TestPki.Issued renewed = pki.server("renewed", TestPki.Names.cn("viewer.test").ip("127.0.0.1"));
        install(renewed);
        try (LogCapture engineLog = new LogCapture("org.dicomlb.engine.Engine", ch.qos.logback.classic.Level.INFO)) {
            assertThat(fx.apply(yaml("", "", b)).applied()).isTrue();
            // The operator who replaced the files is told which listener took which certificate.
            assertThat(engineLog.lines()).anySatisfy(l -> assertThat(l).contains("listener 'web': TLS certificate reloaded: ")
                    .contains("CN=viewer.test").contains("valid until " + renewed.x509().getNotAfter().toInstant()));
            assertThat(fx.apply(yaml("", "", b)).applied()).isTrue();
            assertThat(engineLog.lines()).filteredOn(l -> l.contains("TLS certificate reloaded")).hasSize(1);
        }
        HttpResponse<String> after = open.send(HttpRequest.newBuilder(uri("/name")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(after.body()).isEqualTo("b1");
        assertThat(serial(after)).as("the open connection goes on with its session").isEqualTo(oldSerial);
        HttpResponse<String> fresh = client(HttpClient.Version.HTTP_2).send(HttpRequest.newBuilder(uri("/name")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(serial(fresh)).isEqualTo(renewed.x509().getSerialNumber());
        assertThat(fx.metric("dicomlb_listener_connections_total{listener=\"web\"}")).isEqualTo(2);
    }

    private static BigInteger serial(HttpResponse<?> r) throws Exception {
        return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    @Test
    void requestsAreReEncryptedToAVerifiedHttpsBackend() throws Exception {
        TestPki.Issued backendCert = pki.server("backend", TestPki.Names.cn("archive.test").ip("127.0.0.11"));
        HttpTestBackend b = backend(HttpTestBackend.startTls("b1", "127.0.0.11", backendCert));
        fx.start(yaml("", "tls: { ca: " + pki.caFile() + " }", b));
        HttpClient client = client(HttpClient.Version.HTTP_2);
        for (int i = 0; i < 5; i++) {
            assertThat(client.send(HttpRequest.newBuilder(uri("/name")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .isEqualTo("b1");
        }
        assertThat(b.connections()).as("kept-alive TLS connections to the backend").isLessThanOrEqualTo(2);

        // A backend whose certificate names another host fails verification: no backend could be connected.
        assertThat(fx.apply(yaml("", "tls: { ca: " + pki.caFile() + ", server-name: pacs.elsewhere.test }", b)).applied())
                .isTrue();
        HttpResponse<String> r = client(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(uri("/name")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(fx.metric("dicomlb_backend_connect_failures_total{backend=\"b1\",pool=\"p\",reason=\"tls\"}"))
                .isGreaterThanOrEqualTo(1);
    }
}
