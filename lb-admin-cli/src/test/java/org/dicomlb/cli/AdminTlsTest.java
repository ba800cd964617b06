package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener over TLS, as an operator reaches it: curl and an https client trusting the
 * CA, the {@code dicomlb} commands with {@code --ca} or with {@code -c} (trusting the certificate
 * the file names), and nothing over plain HTTP.
 */
class AdminTlsTest {
    @TempDir
    Path dir;
    private Appliance app;
    private TestBackend backend;
    private Path config;
    private Path token;
    private TestPki pki;
    private final int adminPort = Ports.free("127.0.0.1");

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("b1", "127.0.0.11");
        pki = TestPki.create(dir, "admin");
        // No IP SAN: reachable by name checks only through --ca with a name, or pinned through -c.
        TestPki.Issued cert = pki.server("admin", TestPki.Names.cn("dicomlb-admin.test").dns("dicomlb-admin.test").ip("127.0.0.1"));
        token = Files.writeString(dir.resolve("admin.token"), "9f2c41d07be35a6e8c1d0f4b2a7e9c35\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        config = Files.writeString(dir.resolve("dicomlb.yaml"), """
                admin:
                  listen: 127.0.0.1:%d
                  token-file: %s
                  tls: { certificate: %s, key: %s }
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p }
                pools:
                  - { name: p, health-check: none, backends: [ { name: b1, address: %s } ] }
                """.formatted(adminPort, token, cert.chain(), cert.key(), Ports.free("127.0.0.1"), backend.hostPort()));
        app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true), AccessLog.toLogger());
    }

    @AfterEach
    void stop() {
        app.close();
        backend.close();
    }

    @Test
    void anHttpsClientTrustingTheCaGetsMetricsAndTheApiWithItsToken() throws Exception {
        try (HttpClient http = HttpClient.newBuilder().sslContext(pki.trustingContext()).connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + adminPort + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("dicomlb_");
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + adminPort + "/api/v1/status"))
                    .header("Authorization", "Bearer " + Files.readString(token).strip()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            // The origin check knows the listener speaks https now.
            HttpResponse<String> sameOrigin = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + adminPort + "/api/v1/reload"))
                    .header("Authorization", "Bearer " + Files.readString(token).strip())
                    .header("Origin", "https://127.0.0.1:" + adminPort).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(sameOrigin.statusCode()).as(sameOrigin.body()).isEqualTo(200);
        }
        try (HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            assertThat(catching(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode()))
                    .as("plain HTTP gets no answer from a TLS listener").isNotEqualTo(200);
        }
    }

    @Test
    void curlWithTheCaBundleReachesMetrics() throws Exception {
        assertThat(java.util.stream.Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "curl"))
                .anyMatch(Files::isExecutable)).as("curl is not installed; run scripts/install-test-deps.sh (Debian package curl)")
                .isTrue();
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "--cacert", pki.caFile().toString(),
                "https://127.0.0.1:" + adminPort + "/healthz").redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo("ok\n");
    }

    @Test
    void theCommandsReachItWithCaOrThroughTheConfigurationFile() throws Exception {
        Cli withCa = Cli.run("status", "--admin", "https://127.0.0.1:" + adminPort, "--ca", pki.caFile().toString(),
                "--token-file", token.toString());
        assertThat(withCa.exit()).as(withCa.err()).isZero();
        assertThat(withCa.out()).contains("front");

        Cli fromFile = Cli.run("status", "-c", config.toString());
        assertThat(fromFile.exit()).as(fromFile.err()).isZero();

        TestPki other = TestPki.create(dir.resolve("other"), "other");
        Cli untrusted = Cli.run("status", "--admin", "https://127.0.0.1:" + adminPort, "--ca", other.caFile().toString(),
                "--token-file", token.toString());
        assertThat(untrusted.exit()).isEqualTo(1);
        assertThat(untrusted.err()).contains("no TLS connection to the admin API");

        Cli plain = Cli.run("status", "--admin", "127.0.0.1:" + adminPort, "--token-file", token.toString());
        assertThat(plain.exit()).isNotZero();
    }

    @Test
    void anAdminListenerBeyondLoopbackWithoutTlsIsWarnedAbout() throws Exception {
        int exposedPort = Ports.free("127.0.0.1");
        Files.writeString(config, Files.readString(config)
                .replaceFirst("listen: 127.0.0.1:\\d+", "listen: 0.0.0.0:" + exposedPort)
                .replaceFirst("  tls: \\{[^}]*}\n", ""));
        try (LogCapture log = new LogCapture(Appliance.class.getName(), Level.WARN)) {
            assertThat(app.reload().get(30, TimeUnit.SECONDS).applied()).isTrue();
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("admin listener on 0.0.0.0:" + exposedPort,
                    "without TLS", "add admin.tls"));
        }
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static Object catching(Call<?> c) {
        try {
            return c.call();
        } catch (Exception e) {
            return e;
        }
    }
}
