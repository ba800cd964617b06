package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API as an attacker on the appliance's own browser would meet it (no token: loopback
 * only), and as an operator moving it: cross-site requests change nothing, malformed requests get
 * an answer, every state-changing call is audited, and a reload that moves the listener answers
 * the request that caused it.
 */
class AdminApiGuardsTest {
    @TempDir
    Path dir;

    private final int adminPort = Ports.free("127.0.0.1");
    private final int listenPort = Ports.free("127.0.0.1");
    private final LogCapture audit = new LogCapture("dicomlb.audit", Level.INFO);
    private TestBackend b1;
    private Appliance app;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        b1 = TestBackend.start("b1", "127.0.0.11");
        config = dir.resolve("dicomlb.yaml");
        Files.writeString(config, yaml(adminPort));
        app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true), AccessLog.toLogger());
    }

    @AfterEach
    void stop() {
        app.close();
        b1.close();
        audit.close();
    }

    private String yaml(int admin) {
        return """
                admin: { listen: 127.0.0.1:%d }
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p }
                pools:
                  - name: p
                    health-check: none
                    backends:
                      - { name: b1, address: %s }
                """.formatted(admin, listenPort, b1.hostPort());
    }

    /** One HTTP/1.1 request written by hand (headers as given), the status code and body back. */
    private static String[] raw(int port, String requestHead, String body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write((requestHead + "Content-Length: " + b.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).as("an answer, not a silent close").startsWith("HTTP/1.1 ");
            return new String[] {response.substring(9, 12), response.substring(response.indexOf("\r\n\r\n") + 4)};
        }
    }

    private String[] drain(String headers) throws Exception {
        return raw(adminPort, "PUT /api/v1/pools/p/backends/b1/state HTTP/1.1\r\n" + headers, "{\"state\":\"drain\"}");
    }

    @Test
    void crossSiteRequestsChangeNothingAndAreAudited() throws Exception {
        // A form or a simple fetch from a page: text/plain, the page's origin, the appliance's address.
        assertThat(drain("Host: 127.0.0.1:" + adminPort + "\r\nContent-Type: text/plain\r\nOrigin: http://evil.example\r\n")[0])
                .isEqualTo("403");
        // Same, without the Origin a browser would add: the content type alone gives it away.
        assertThat(drain("Host: 127.0.0.1:" + adminPort + "\r\nContent-Type: text/plain\r\n")[0]).isEqualTo("415");
        // DNS rebinding: the page's own name resolved to 127.0.0.1, JSON and all.
        assertThat(drain("Host: evil.example:" + adminPort + "\r\nContent-Type: application/json\r\n")[0]).isEqualTo("403");
        assertThat(raw(adminPort, "POST /api/v1/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n", "")[0])
                .isEqualTo("415");
        assertThat(app.engine().pool("p").backend("b1").adminState()).isEqualTo(AdminState.READY);
        assertThat(audit.lines()).hasSize(4).allSatisfy(l -> assertThat(l).startsWith("admin client=127.0.0.1:"));
        assertThat(audit.lines().getFirst()).contains("PUT /api/v1/pools/p/backends/b1/state -> 403");

        // The operator's own call: JSON, addressed by IP, no foreign origin.
        String[] ok = drain("Host: 127.0.0.1:" + adminPort + "\r\nContent-Type: application/json\r\n");
        assertThat(ok[0]).isEqualTo("200");
        assertThat(app.engine().pool("p").backend("b1").adminState()).isEqualTo(AdminState.DRAIN);
        assertThat(audit.lines().getLast()).contains("PUT /api/v1/pools/p/backends/b1/state state=drain -> 200");
        Cli ready = Cli.run("ready", "p/b1", "-c", config.toString());
        assertThat(ready.exit()).as(ready.err()).isZero();
        // Reading status needs no JSON body, but still no foreign origin.
        assertThat(raw(adminPort, "GET /api/v1/status HTTP/1.1\r\nHost: localhost:" + adminPort + "\r\n", "")[0]).isEqualTo("200");
        assertThat(raw(adminPort, "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n", "")[0])
                .isEqualTo("403");
    }

    @Test
    void withoutAVipSectionTheVipEndpointsSaySoAndChangeNothing() throws Exception {
        String[] status = raw(adminPort, "GET /api/v1/vip HTTP/1.1\r\nHost: 127.0.0.1\r\n", "");
        assertThat(status[0]).isEqualTo("404");
        assertThat(status[1]).contains("this appliance has no vip: section");
        assertThat(raw(adminPort, "POST /api/v1/vip/demote HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n", "")[0])
                .isEqualTo("415");
        assertThat(raw(adminPort, "POST /api/v1/vip/demote HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n", "{}")[0])
                .isEqualTo("404");
        assertThat(audit.lines()).hasSize(2).last().asString().contains("POST /api/v1/vip/demote -> 404");
        Cli vip = Cli.run("vip", "status", "-c", config.toString());
        assertThat(vip.exit()).isEqualTo(2);
        assertThat(vip.err()).contains("vip status failed: HTTP 404: this appliance has no vip: section");
        assertThat(raw(adminPort, "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n", "")[1]).doesNotContain("\"vip\"");
    }

    @Test
    void badPercentEncodingIsA400NotAClose() throws Exception {
        String[] r = raw(adminPort, "GET /api/v1/%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\n", "");
        assertThat(r[0]).isEqualTo("400");
        assertThat(r[1]).contains("malformed request URI");
    }

    @Test
    void aReloadThatMovesTheAdminListenerAnswersFirstThenMoves() throws Exception {
        int moved = Ports.free("127.0.0.1");
        Files.writeString(config, yaml(moved));
        Cli reload = Cli.run("reload", "--admin", "127.0.0.1:" + adminPort);
        assertThat(reload.exit()).as(reload.err()).isZero();
        assertThat(reload.out()).startsWith("reloaded:");
        // The old address no longer accepts; the new one serves.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socket("127.0.0.1", adminPort).close())
                .isInstanceOf(ConnectException.class);
        Cli status = Cli.run("status", "-c", config.toString());
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("front");
        // No socket of the old listener is left half-closed (CLOSE-WAIT) behind.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String lingering;
        do {
            Process ss = new ProcessBuilder("ss", "-Htan", "state", "close-wait", "( sport = :" + adminPort + " )")
                    .redirectErrorStream(true).start();
            lingering = new String(ss.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            ss.waitFor();
        } while (!lingering.isEmpty() && System.nanoTime() < deadline && sleep());
        assertThat(lingering).as("sockets in CLOSE-WAIT on the old admin port").isEmpty();
        // And the moved listener is where status and reload find it from the file.
        assertThat(Cli.run("reload", "-c", config.toString()).exit()).isZero();
        assertThat(app.scrape()).contains("dicomlb_config_reloads_total{result=\"success\"} 2.0");
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }
}
