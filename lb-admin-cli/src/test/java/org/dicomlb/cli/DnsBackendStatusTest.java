package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.dnsproxy.testing.TestDnsServer;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dns backend in the running appliance, as an operator sees it: {@code dicomlb status} shows the
 * name, the addresses in use, the resolver that answered and when, each endpoint, and why it has
 * no address; the admin API's JSON has the same plus each name's last round; /metrics has the
 * resolver's meters. The DNS server (127.0.0.1) answers with 127.0.1.1 and 127.0.2.1, where two
 * test backends listen on one port.
 */
class DnsBackendStatusTest {
    private static final String NAME = "dicom.example.org";

    @TempDir
    Path dir;

    private final int adminPort = Ports.free("127.0.0.1");
    private final int listenPort = Ports.free("127.0.0.1");
    private final int port = Ports.free("127.0.1.1");
    private TestBackend a;
    private TestBackend b;
    private TestDnsServer dns;
    private Appliance app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {dns, b, a}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the next one still needs closing
                }
            }
        }
    }

    @Test
    void statusShowsTheAddressesTheResolverAndWhenAndWhyThereIsNone() throws Exception {
        a = TestBackend.startAt("a", new InetSocketAddress(InetAddress.ofLiteral("127.0.1.1"), port));
        b = TestBackend.startAt("b", new InetSocketAddress(InetAddress.ofLiteral("127.0.2.1"), port));
        dns = TestDnsServer.start("127.0.0.1").answer(NAME, "127.0.2.1", "127.0.1.1");
        String resolver = "127.0.0.1:" + dns.address().getPort();
        Path config = Files.writeString(dir.resolve("dicomlb.yaml"), """
                admin: { listen: 127.0.0.1:%d }
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: legacy }
                pools:
                  - name: legacy
                    health-check: none
                    backends:
                      - { name: via-gslb, dns: %s, port: %d, resolvers: [%s], resolve-interval: 3s,
                          resolve-timeout: 2s, resolve-fall: 1, addresses: all }
                """.formatted(adminPort, listenPort, NAME, port, resolver));
        app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true), AccessLog.toLogger());
        Eventually.until(() -> app.engine().pool("legacy").endpoints().size() == 2, Duration.ofSeconds(20),
                () -> app.status());
        assertThat(Client.whoServes(new InetSocketAddress("127.0.0.1", listenPort), null)).isIn("a", "b");

        Cli status = Cli.run("status", "-c", config.toString());
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("pool legacy", "via-gslb", "127.0.1.1:" + port)
                .containsPattern("dns " + NAME.replace(".", "\\.") + ":" + port + " -> 127\\.0\\.1\\.1:" + port + ", 127\\.0\\.2\\.1:"
                        + port + " {2}\\(answer from " + resolver + " at 20\\d\\d-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3})?Z\\)")
                .containsPattern("127\\.0\\.2\\.1:" + port + " +unchecked +0 connection\\(s\\)")
                .doesNotContain("dns problem");

        JsonNode json = new ObjectMapper().readTree(Cli.run("status", "-c", config.toString(), "--json").out());
        JsonNode backend = json.path("pools").get(0).path("backends").get(0);
        assertThat(backend.path("dns").asText()).isEqualTo(NAME + ":" + port);
        assertThat(backend.path("address_source").asText()).isEqualTo(resolver);
        assertThat(backend.path("address_at").asText()).isNotEmpty();
        assertThat(backend.path("endpoints")).extracting(e -> e.path("id").asText())
                .containsExactly("legacy/via-gslb@127.0.1.1:" + port, "legacy/via-gslb@127.0.2.1:" + port);
        JsonNode round = json.path("dns_backends").get(0);
        assertThat(round.path("id").asText()).isEqualTo("legacy/via-gslb");
        assertThat(round.path("state").asText()).isEqualTo("up");
        assertThat(round.path("result").asText()).isEqualTo("answer");
        assertThat(round.path("resolver").asText()).isEqualTo(resolver);
        assertThat(round.path("resolve_fall").asInt()).isEqualTo(1);

        assertThat(app.scrape()).contains("dicomlb_dns_up{backend=\"via-gslb\",pool=\"legacy\"} 1.0",
                "dicomlb_dns_addresses{backend=\"via-gslb\",pool=\"legacy\"} 2.0",
                "dicomlb_dns_resolutions_total{backend=\"via-gslb\",pool=\"legacy\",result=\"answer\"}");

        // The stopped resolver's port answers with ICMP port unreachable at once; the timeout is
        // long enough that a loaded machine does not turn that into a timeout first.
        dns.stop();
        Eventually.until(() -> app.engine().pool("legacy").endpoints().isEmpty(), Duration.ofSeconds(20),
                () -> app.status());
        Cli down = Cli.run("status", "-c", config.toString());
        assertThat(down.out()).contains("dns " + NAME + ":" + port + " -> no address  (last answer from " + resolver + " at ",
                "dns problem: no resolver answered: " + resolver + " port unreachable");
        assertThat(app.scrape()).contains("dicomlb_dns_up{backend=\"via-gslb\",pool=\"legacy\"} 0.0");
    }
}
