package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dicomlb's own error answer (docs/http.md "Error statuses") to an HTTP/2
 * request whose body is still coming reaches the client: the stream is reset (NO_ERROR) only
 * after the answer has been sent; a reset sent at once would overtake the DATA waiting for the
 * window, and the client would see the reset instead of the status.
 */
class Http2EarlyAnswerTest {
    @TempDir
    Path dir;
    private final EngineFixture fx = new EngineFixture();
    private HttpTestBackend b;

    @AfterEach
    void tearDown() {
        fx.close();
        if (b != null) {
            b.close();
        }
    }

    @Test
    void aLocalAnswerToAnHttp2UploadReachesTheClient() throws Exception {
        TestPki pki = TestPki.create(dir, "web");
        TestPki.Issued issued = pki.server("first", TestPki.Names.cn("viewer.test").dns("viewer.test").ip("127.0.0.1"));
        b = HttpTestBackend.start("b1", "127.0.0.11");
        fx.start("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    tls: { certificate: %s, key: %s }
                    routes:
                      - { path-prefix: /only/, pool: p }
                pools:
                  - name: p
                    health-check: none
                    backends:
                      - { name: b1, address: %s }
                """.formatted(fx.listenPort, issued.chain(), issued.key(), b.hostPort()));
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("ca", pki.caCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(c).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create("https://127.0.0.1:" + fx.listenPort + "/elsewhere");
        // Without a body: 404, as documented.
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(get.statusCode()).isEqualTo(404);
        // With a body still coming when dicomlb answers: the client must get the 404 too.
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4 * 1024 * 1024])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(404);
        assertThat(post.body()).contains("no route");
    }
}
