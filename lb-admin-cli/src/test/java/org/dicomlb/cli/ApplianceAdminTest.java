package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.testkit.Ports;
import org.dicomlb.engine.testing.TestBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API of a running appliance: metrics, token checks, reload of good and bad files, status. */
class ApplianceAdminTest {
    @TempDir
    Path dir;

    private TestBackend b1;
    private TestBackend b2;
    private Appliance app;
    private Path config;
    private Path token;
    private final int adminPort = Ports.free("127.0.0.1");
    private final int listenPort = Ports.free("127.0.0.1");
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        b1 = TestBackend.start("b1", "127.0.0.11");
        b2 = TestBackend.start("b2", "127.0.0.12");
        token = Files.writeString(dir.resolve("admin.token"), "s3cret-token-0123456789\n");
        // A token others could read is refused by validation: owner only, as an operator must keep it.
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        config = dir.resolve("dicomlb.yaml");
        Files.writeString(config, yaml(listenPort, b1, ""));
        app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true), AccessLog.toLogger());
    }

    @AfterEach
    void stop() {
        app.close();
        b1.close();
        b2.close();
        http.close();
    }

    private String yaml(int port, TestBackend backend, String extraListener) {
        return """
                admin: { listen: 127.0.0.1:%d, token-file: %s }
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p }
                %s
                pools:
                  - name: p
                    backends:
                      - { name: %s, address: %s }
                """.formatted(adminPort, token, port, extraListener, backend.name(), backend.hostPort());
    }

    private HttpResponse<String> call(String method, String path, String bearer) throws Exception {
        boolean mutation = !method.equals("GET");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .method(method, mutation ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        if (mutation) {
            b.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAndHealthzAreOpenAndApiNeedsTheToken() throws Exception {
        Client.whoServes(new java.net.InetSocketAddress("127.0.0.1", listenPort), null);
        HttpResponse<String> m = call("GET", "/metrics", null);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(m.body()).contains("dicomlb_listener_connections_total{listener=\"front\"}",
                "dicomlb_backend_connections_active{backend=\"b1\",pool=\"p\"}", "jvm_memory_used_bytes",
                "jvm_gc_pause_seconds_count{gc=");
        assertThat(call("GET", "/healthz", null).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/reload", null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/api/v1/reload", "wrong").statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/status", "wrong").statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/status", "s3cret-token-0123456789").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/reload", "s3cret-token-0123456789").statusCode()).isEqualTo(405);
        assertThat(call("GET", "/nope", null).statusCode()).isEqualTo(404);
    }

    @Test
    void anInvalidReloadKeepsTheRunningConfiguration() throws Exception {
        var front = new java.net.InetSocketAddress("127.0.0.1", listenPort);
        assertThat(Client.whoServes(front, null)).isEqualTo("b1");
        Files.writeString(config, yaml(listenPort, b2, "").replace("pool: p }", "pool: missing }")
                .replace("backends:", "balance: random\n    backends:"));
        HttpResponse<String> r = call("POST", "/api/v1/reload", "s3cret-token-0123456789");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains(config + ":3:").contains("pool 'missing'").contains("'balance' must be one of");
        assertThat(Client.whoServes(front, null)).isEqualTo("b1");

        Cli viaCli = Cli.run("reload", "-c", config.toString());
        assertThat(viaCli.exit()).as(viaCli.err()).isEqualTo(2);
        // The CLI validates the file itself first and does not even ask dicomlb to load it.
        assertThat(viaCli.err()).contains("pool 'missing'", "has errors, so nothing was sent to dicomlb");
        Cli viaAdmin = Cli.run("reload", "--admin", "127.0.0.1:" + adminPort, "--token-file", token.toString());
        assertThat(viaAdmin.exit()).isEqualTo(2);
        assertThat(viaAdmin.err()).contains("pool 'missing'", "reload rejected; the running configuration is unchanged");
        assertThat(Client.whoServes(front, null)).isEqualTo("b1");
        assertThat(app.scrape()).contains("dicomlb_config_reloads_total{result=\"rejected\"} 2.0");
    }

    @Test
    void aValidReloadAppliesAndTheCliShowsIt() throws Exception {
        int second = Ports.free("127.0.0.1");
        Files.writeString(config, yaml(listenPort, b2, "  - { name: second, bind: 127.0.0.1:%d, pool: p }".formatted(second)));
        Cli reload = Cli.run("reload", "--admin", "127.0.0.1:" + adminPort, "--token-file", token.toString());
        assertThat(reload.exit()).as(reload.err()).isZero();
        assertThat(reload.out()).startsWith("reloaded: pool p updated");
        assertThat(Client.whoServes(new java.net.InetSocketAddress("127.0.0.1", second), null)).isEqualTo("b2");
        assertThat(Client.whoServes(new java.net.InetSocketAddress("127.0.0.1", listenPort), null)).isEqualTo("b2");

        Cli status = Cli.run("status", "-c", config.toString());
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("front", "second", "pool p", "b2", "127.0.0.12:");
        Cli json = Cli.run("status", "-c", config.toString(), "--json");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).path("pools").get(0)
                .path("backends").get(0).path("name").asText()).isEqualTo("b2");
    }

    @Test
    void drainReadyAndMaintChangeABackendsAdminState() throws Exception {
        Cli drain = Cli.run("drain", "p/b1", "-c", config.toString());
        assertThat(drain.exit()).as(drain.err()).isZero();
        assertThat(drain.out()).startsWith("p/b1: drain (health ");
        assertThat(Cli.run("status", "-c", config.toString()).out()).contains("drain");
        HttpResponse<String> viaApi = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/api/v1/pools/p/backends/b1/state"))
                .header("Authorization", "Bearer s3cret-token-0123456789")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"state\":\"maint\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaApi.statusCode()).isEqualTo(200);
        assertThat(viaApi.body()).contains("\"admin_state\" : \"maint\"", "\"health\" : \"paused\"");
        Cli ready = Cli.run("ready", "p/b1", "-c", config.toString());
        assertThat(ready.exit()).isZero();
        assertThat(ready.out()).startsWith("p/b1: ready");

        Cli missing = Cli.run("drain", "p/nope", "-c", config.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("HTTP 404", "no backend 'nope' in pool 'p'");
        assertThat(Cli.run("drain", "just-a-name", "-c", config.toString()).exit()).isEqualTo(2);
        // Names that would break or redirect the URL are refused before anything is sent.
        for (String bad : new String[] {"p b/b1", "p?x=1/b1", "p/b1/state", "p/"}) {
            Cli refused = Cli.run("drain", bad, "-c", config.toString());
            assertThat(refused.exit()).as(bad).isEqualTo(2);
            assertThat(refused.err()).as(bad).contains("expected POOL/BACKEND");
        }
        HttpResponse<String> badState = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/api/v1/pools/p/backends/b1/state"))
                .header("Authorization", "Bearer s3cret-token-0123456789")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"state\":\"off\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badState.statusCode()).isEqualTo(400);
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/api/v1/pools/p/backends/b1/state"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"state\":\"drain\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(app.engine().pool("p").backend("b1").adminState()).isEqualTo(org.dicomlb.engine.pool.AdminState.READY);
    }

    @Test
    void operatorCommandsReportAWrongTokenOrNoServer() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong.token"), "nope");
        Cli denied = Cli.run("status", "--admin", "127.0.0.1:" + adminPort, "--token-file", wrong.toString());
        assertThat(denied.exit()).isEqualTo(2);
        assertThat(denied.err()).contains("HTTP 401", "admin token");
        Cli nobody = Cli.run("status", "--admin", "127.0.0.1:" + Ports.free("127.0.0.1"));
        assertThat(nobody.exit()).isEqualTo(1);
        assertThat(nobody.err()).contains("no dicomlb admin API at");
    }
}
