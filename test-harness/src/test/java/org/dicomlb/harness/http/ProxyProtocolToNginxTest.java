package org.dicomlb.harness.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.Tools;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool with {@code proxy-protocol: v2} in front of nginx listening with {@code proxy_protocol}
 * (nginx refuses a connection without the header): through an http listener and a tcp listener,
 * nginx's {@code $proxy_protocol_addr:$proxy_protocol_port} is curl's own address and port,
 * chosen by the test with {@code --local-port}.
 */
class ProxyProtocolToNginxTest {
    @TempDir
    Path work;
    private final EngineFixture fx = new EngineFixture();
    private NginxBackend nginx;

    @AfterEach
    void tearDown() {
        fx.close();
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void nginxSeesTheClientThatDicomlbNamesInThePROXYHeader() throws Exception {
        String curl = Binaries.find("curl", "curl").toString();
        nginx = NginxBackend.start(work.resolve("nginx"), true);
        int tcpPort = Ports.free("127.0.0.1");
        fx.start("""
                listeners:
                  - { name: web, bind: 127.0.0.1:%d, mode: http, pool: web }
                  - { name: raw, bind: 127.0.0.1:%d, mode: tcp, pool: web }
                pools:
                  - name: web
                    health-check: none
                    proxy-protocol: v2
                    backends: [{ name: nginx1, address: %s }]
                """.formatted(fx.listenPort, tcpPort, nginx.address()));
        for (int port : List.of(fx.listenPort, tcpPort)) {
            int local = Ports.free("127.0.0.1");
            Tools.Result r = Tools.run(Duration.ofSeconds(60), work.resolve("curl"), List.of(curl, "-sS", "--fail",
                    "--max-time", "30", "--local-port", Integer.toString(local), "http://127.0.0.1:" + port + "/peer"));
            assertThat(r.ok()).as(r + "\nnginx: " + nginx.log()).isTrue();
            assertThat(r.output()).as(r.toString()).isEqualTo("127.0.0.1:" + local);
        }
    }
}
