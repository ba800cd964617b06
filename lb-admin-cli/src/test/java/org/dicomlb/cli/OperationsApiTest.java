package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator does on a running appliance with a token: the status page is served, open
 * connections are listed and closed from the command line, every state-changing call without the
 * right token is refused with 401, changes nothing and is audited, and transitions show up in
 * the status.
 */
class OperationsApiTest {
    private static final String TOKEN = "s3cret-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final int adminPort = Ports.free("127.0.0.1");
    private final int listenPort = Ports.free("127.0.0.1");
    private final HttpClient http = HttpClient.newHttpClient();
    private final LogCapture audit = new LogCapture("dicomlb.audit", Level.INFO);
    private TestBackend b1;
    private Appliance app;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        b1 = TestBackend.start("b1", "127.0.0.11");
        Path token = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        config = dir.resolve("dicomlb.yaml");
        Files.writeString(config, """
                admin: { listen: 127.0.0.1:%d, token-file: %s }
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p }
                pools:
                  - name: p
                    health-check: none
                    backends:
                      - { name: b1, address: %s }
                """.formatted(adminPort, token, listenPort, b1.hostPort()));
        app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true), AccessLog.toLogger());
    }

    @AfterEach
    void stop() {
        app.close();
        b1.close();
        http.close();
        audit.close();
    }

    private HttpResponse<String> call(String method, String path, String bearer) throws Exception {
        boolean change = !method.equals("GET");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .method(method, change ? HttpRequest.BodyPublishers.ofString("{\"state\":\"drain\"}") : HttpRequest.BodyPublishers.noBody());
        if (change) {
            b.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client connection through the listener, its relay running (the backend greeted it). */
    private Socket connect() throws Exception {
        Socket s = new Socket("127.0.0.1", listenPort);
        s.setSoTimeout((int) WAIT.toMillis());
        assertThat(s.getInputStream().read()).isEqualTo('b');
        return s;
    }

    @Test
    void theStatusPageIsSelfContainedAndLocksItselfDown() throws Exception {
        HttpResponse<String> page = call("GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>dicomlb status</title>", "/api/v1/status", "sessionStorage");
        // Nothing from another host: no external script, style, font or image.
        assertThat(page.body()).doesNotContain("http://", "https://", " src=", "<link");
        String csp = page.headers().firstValue("content-security-policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'", "script-src 'sha256-", "connect-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline");
        assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
        // The page holds no data: without the token, the data stays behind the API's guard.
        assertThat(call("GET", "/api/v1/status", null).statusCode()).isEqualTo(401);
    }

    @Test
    void anOperatorListsOpenConnectionsAndClosesOneFromTheCommandLine() throws Exception {
        try (Socket one = connect(); Socket two = connect()) {
            Cli list = Cli.run("connections", "-c", config.toString());
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).contains("front", "127.0.0.1:" + one.getLocalPort(), "127.0.0.1:" + two.getLocalPort(), "p/b1",
                    "relaying", "2 open");
            Cli json = Cli.run("connections", "-c", config.toString(), "--json", "--backend", "p/b1", "--limit", "1");
            assertThat(json.exit()).as(json.err()).isZero();
            JsonNode body = new ObjectMapper().readTree(json.out());
            assertThat(body.path("matched").asInt()).isEqualTo(2);
            assertThat(body.path("more").asInt()).isEqualTo(1);
            JsonNode first = body.path("connections").get(0);
            assertThat(first.path("client").asText()).isEqualTo("127.0.0.1:" + one.getLocalPort());
            assertThat(first.path("since").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(first.has("dicom")).as("a tcp connection has no DICOM fields").isFalse();
            assertThat(Cli.run("connections", "-c", config.toString(), "--backend", "p/nope").out()).contains("0 open");

            Cli close = Cli.run("connections", "-c", config.toString(), "--close", first.path("id").asText());
            assertThat(close.exit()).as(close.err()).isZero();
            assertThat(close.out()).contains("connection " + first.path("id").asText(), "connection closed");
            InputStream in = one.getInputStream();
            while (in.read() >= 0) {
                // the rest of the greeting, then the end of the stream
            }
            // The other connection is untouched.
            two.getOutputStream().write("ping\n".getBytes());
            assertThat(new String(two.getInputStream().readNBytes(3))).isEqualTo("1\np");
            assertThat(audit.lines()).anySatisfy(l -> assertThat(l).contains("POST /api/v1/connections/" + first.path("id").asText()
                    + "/close -> 200 (client 127.0.0.1:" + one.getLocalPort()));
            Cli again = Cli.run("connections", "-c", config.toString(), "--close", first.path("id").asText());
            assertThat(again.exit()).isEqualTo(2);
            assertThat(again.err()).contains("HTTP 404", "no open connection");
            assertThat(Cli.run("connections", "-c", config.toString(), "--ae", "bad title with spaces").exit()).isEqualTo(2);
        }
        JsonNode status = new ObjectMapper().readTree(call("GET", "/api/v1/status", TOKEN).body());
        assertThat(status.path("events").get(0).path("kind").asText()).isEqualTo("connection");
        assertThat(status.path("events").get(0).path("text").asText()).contains("closed by an operator", "to p/b1");
    }

    @Test
    void everyStateChangingCallWithoutTheRightTokenIsRefusedChangesNothingAndIsAudited() throws Exception {
        try (Socket open = connect()) {
            long id = new ObjectMapper().readTree(call("GET", "/api/v1/connections", TOKEN).body())
                    .path("connections").get(0).path("id").asLong();
            List<String> changes = List.of("PUT /api/v1/pools/p/backends/b1/state", "POST /api/v1/pools/p/backends/b1/state",
                    "POST /api/v1/reload", "POST /api/v1/gslb/dicom.example.org/failback", "POST /api/v1/connections/" + id + "/close",
                    "POST /api/v1/vip/demote", "POST /api/v1/vip/promote");
            int audited = audit.lines().size();
            for (String change : changes) {
                String method = change.substring(0, change.indexOf(' '));
                String path = change.substring(change.indexOf(' ') + 1);
                for (String bearer : new String[] {null, "wrong-token-0123456789", TOKEN + "x", ""}) {
                    HttpResponse<String> r = call(method, path, bearer);
                    assertThat(r.statusCode()).as(change + " with " + bearer).isEqualTo(401);
                    assertThat(audit.lines()).hasSize(++audited);
                    assertThat(audit.lines().getLast()).startsWith("admin client=127.0.0.1:").contains(change + " -> 401");
                }
            }
            assertThat(app.engine().pool("p").backend("b1").adminState()).isEqualTo(AdminState.READY);
            assertThat(app.scrape()).doesNotContain("dicomlb_config_reloads_total{result=\"success\"} 1.0");
            // The connection the refused close named is still relayed.
            open.getOutputStream().write("x".getBytes());
            assertThat(new String(open.getInputStream().readNBytes(3))).isEqualTo("1\nx");
            assertThat(app.connections(c -> true, 10).join().matched()).isEqualTo(1);

            // And with the token, the same calls work and are audited with their result.
            assertThat(call("PUT", "/api/v1/pools/p/backends/b1/state", TOKEN).statusCode()).isEqualTo(200);
            assertThat(audit.lines().getLast()).contains("PUT /api/v1/pools/p/backends/b1/state state=drain -> 200");
            Eventually.until(() -> app.status().events().stream().anyMatch(e -> e.kind().equals("admin-state")), WAIT,
                    () -> app.status().events());
            assertThat(app.status().events().getFirst().text()).isEqualTo("set to drain by an operator");
        }
    }
}
