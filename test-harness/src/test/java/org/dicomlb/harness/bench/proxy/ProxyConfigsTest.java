package org.dicomlb.harness.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.engine.config.Balance;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.config.BackendAddress;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.harness.bench.proxy.DicomlbMode;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.healthcheck.config.DicomEchoProbe;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.TcpProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyConfigsTest {
    private static final InetSocketAddress LISTEN = new InetSocketAddress("127.0.0.1", 17101);
    private static final InetSocketAddress ADMIN = new InetSocketAddress("127.0.0.1", 17109);
    private static final Route ROUTE = new Route(DicomlbMode.TCP, new DicomlbCheck.TcpConnect(), Balance.LEASTCONN,
            List.of(new InetSocketAddress("127.0.0.21", 17110), new InetSocketAddress("127.0.0.22", 17110)),
            Duration.ofMillis(1500), Duration.ofMinutes(2), 5000);

    @Test
    void dicomlbReadsTheGeneratedYamlAsTheRoute() throws Exception {
        RootConfig root = RootConfigReader.parse("bench.yaml", ProxyConfigs.dicomlbYaml("s", ROUTE, LISTEN, ADMIN));
        EngineConfig c = root.engine();

        ListenerConfig l = c.listeners().getFirst();
        assertThat(l.bind()).isEqualTo(LISTEN);
        assertThat(l.mode().label()).isEqualTo(DicomlbMode.TCP.label());
        assertThat(l.maxConnections()).isEqualTo(5000);
        assertThat(l.timeouts().connect()).isEqualTo(Duration.ofMillis(1500));
        assertThat(l.timeouts().idle()).isEqualTo(Duration.ofMinutes(2));
        PoolConfig p = c.pool(l.pool()).orElseThrow();
        assertThat(p.balance()).isEqualTo(Balance.LEASTCONN);
        assertThat(p.retries()).isEqualTo(Route.RETRIES);
        assertThat(p.backends()).extracting(b -> ((BackendAddress.Static) b.address()).address()).containsExactlyElementsOf(ROUTE.backends());
        assertThat(root.admin().orElseThrow().listen()).isEqualTo(ADMIN);
        HealthCheckConfig h = p.healthCheck().orElseThrow();
        assertThat(h.probe()).isInstanceOf(TcpProbe.class);
        assertSameCadenceAsHaproxy(ROUTE, h);
    }

    @Test
    void aDicomRouteGetsADicomListenerCheckedByCEchoAtHaproxysCadence() throws Exception {
        Route dicom = Route.dicom(new InetSocketAddress("127.0.0.21", 17112), DicomlbMode.DICOM, "BENCH_SCP");

        EngineConfig c = RootConfigReader.parse("bench.yaml", ProxyConfigs.dicomlbYaml("s", dicom, LISTEN, ADMIN)).engine();

        ListenerConfig l = c.listeners().getFirst();
        assertThat(l.mode().label()).isEqualTo(DicomlbMode.DICOM.label());
        HealthCheckConfig h = c.pool(l.pool()).orElseThrow().healthCheck().orElseThrow();
        assertThat(h.probe()).isEqualTo(new DicomEchoProbe(DicomEchoProbe.DEFAULT_CALLING_AE, Optional.of(AeTitle.of("BENCH_SCP"))));
        assertSameCadenceAsHaproxy(dicom, h);
        assertThat(ProxyConfigs.haproxyCfg("s", dicom, LISTEN, 2, 20_000)).contains("    mode tcp\n");
    }

    @Test
    void anHttpRouteRunsBothProxiesInTheirHttpMode() throws Exception {
        Route http = Route.http(new InetSocketAddress("127.0.0.21", 17110));

        ListenerConfig l = RootConfigReader.parse("bench.yaml", ProxyConfigs.dicomlbYaml("s", http, LISTEN, ADMIN)).engine()
                .listeners().getFirst();
        assertThat(l.mode().label()).isEqualTo("http");
        String cfg = ProxyConfigs.haproxyCfg("s", http, LISTEN, 2, 20_000);
        assertThat(cfg).contains("    mode http\n", "    option httplog\n", "    option forwardfor\n",
                "    timeout http-request 10000ms\n", "    timeout http-keep-alive 60000ms\n",
                "    http-request del-header Forwarded\n").doesNotContain("mode tcp", "tcplog");
        // The forwarded-field rules are the frontend's, before it hands requests on.
        assertThat(cfg.substring(cfg.indexOf("frontend bench"), cfg.indexOf("backend bench")))
                .contains(String.join("\n    ", ProxyConfigs.HAPROXY_FORWARDED));
        assertThat(ProxyConfigs.haproxyCfg("s", ROUTE, LISTEN, 2, 20_000)).doesNotContain("http");
    }

    @Test
    void theListenerModeSwitchesTheListenerAndNothingElse() throws Exception {
        InetSocketAddress scp = new InetSocketAddress("127.0.0.21", 17112);
        String asDicom = ProxyConfigs.dicomlbYaml("s", Route.dicom(scp, DicomlbMode.DICOM, "BENCH_SCP"), LISTEN, ADMIN);
        String asTcp = ProxyConfigs.dicomlbYaml("s", Route.dicom(scp, DicomlbMode.TCP, "BENCH_SCP"), LISTEN, ADMIN);

        assertThat(asTcp).isEqualTo(asDicom.replace("mode: dicom", "mode: tcp"));
        assertThat(RootConfigReader.parse("bench.yaml", asTcp).engine().pools().getFirst().healthCheck().orElseThrow().probe()).isInstanceOf(DicomEchoProbe.class);
    }

    @Test
    void aCheckPortMovesBothProxiesChecksOffTheBackendsPort(@TempDir Path dir) throws Exception {
        Route route = Route.tcp(new InetSocketAddress("127.0.0.21", 17111)).withCheckPort(17116);

        HealthCheckConfig h = RootConfigReader.parse("bench.yaml", ProxyConfigs.dicomlbYaml("s", route, LISTEN, ADMIN)).engine()
                .pools().getFirst().healthCheck().orElseThrow();
        assertThat(h.probe()).isInstanceOf(TcpProbe.class);
        assertThat(h.port()).hasValue(17116);
        assertSameCadenceAsHaproxy(route, h);
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, ProxyConfigs.haproxyCfg("s", route, LISTEN, 1, 20_000));
        assertThat(Files.readString(cfg)).contains("server b1 127.0.0.21:17111 check inter 2000ms fastinter 500ms downinter 2000ms"
                + " rise 2 fall 3 port 17116\n");
        Process p = new ProcessBuilder("haproxy", "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThatThrownBy(() -> route.withCheckPort(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** HAProxy's line is {@code check inter 2000ms fastinter 500ms downinter 2000ms rise 2 fall 3}. */
    private static void assertSameCadenceAsHaproxy(Route route, HealthCheckConfig h) {
        assertThat(h.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.fastInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(h.downInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.rise()).isEqualTo(2);
        assertThat(h.fall()).isEqualTo(3);
        assertThat(ProxyConfigs.haproxyCfg("s", route, LISTEN, 2, 20_000))
                .contains("check inter 2000ms fastinter 500ms downinter 2000ms rise 2 fall 3");
    }

    /** HAProxy's threads bound as dicomlb's --cpu-affinity auto binds its I/O threads, one CPU each. */
    @Test
    void haproxysThreadsAreBoundToTheCpusDicomlbUses(@TempDir Path dir) throws IOException, InterruptedException {
        assertThat(ProxyConfigs.bindableCpus(1)).hasSize(1);
        assertThat(ProxyConfigs.bindableCpus(100_000)).isEmpty();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, ProxyConfigs.haproxyCfg("s", ROUTE, LISTEN, 2, 20_000, List.of(0, 1)));
        assertThat(Files.readString(cfg)).contains("    nbthread 2\n    cpu-map 1/1 0\n    cpu-map 1/2 1\n");
        Process p = new ProcessBuilder("haproxy", "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(ProxyConfigs.haproxyCfg("s", ROUTE, LISTEN, 2, 20_000)).doesNotContain("cpu-map");
        assertThatThrownBy(() -> ProxyConfigs.haproxyCfg("s", ROUTE, LISTEN, 2, 20_000, List.of(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void haproxyAcceptsTheGeneratedConfiguration(@TempDir Path dir) throws IOException, InterruptedException {
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, ProxyConfigs.haproxyCfg("s", ROUTE, LISTEN, 2, 20_000));

        // haproxy -c parses and checks the file without binding anything.
        Process p = new ProcessBuilder("haproxy", "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(Files.readString(cfg)).contains("balance leastconn", "timeout connect 1500ms", "timeout client 120000ms",
                "timeout server 120000ms", "retries 3", "nbthread 2", "server b2 127.0.0.22:17110");
    }

    @Test
    void haproxyMaxconnFitsTheOpenFilesLimit() {
        String cfg = ProxyConfigs.haproxyCfg("s", Route.tcp(new InetSocketAddress("127.0.0.21", 1)), LISTEN, 1, 20_000);

        // Two descriptors per connection: at 20,000 open files HAProxy can hold 9,900, not 20,000.
        assertThat(cfg).contains("    maxconn 9900\n").doesNotContain("maxconn 20000");
    }

    @Test
    void routesRefuseBackendsOffLoopback() {
        // A documentation address (TEST-NET-1): refused before anything could be sent to it.
        assertThatThrownBy(() -> Route.tcp(new InetSocketAddress("192.0.2.1", 104)))
                .hasMessageContaining("loopback");
    }

    /** The TLS scenario's route: both proxies terminate TLS with the same certificate; dicomlb's reader accepts the files. */
    @Test
    void aTlsRouteTerminatesTlsInBothProxies(@TempDir Path dir) throws Exception {
        FrontTls tls = org.dicomlb.harness.bench.scenario.DicomTls.certificates(dir);
        Route route = Route.dicom(new InetSocketAddress("127.0.0.21", 17112), DicomlbMode.DICOM, "BENCH_SCP").withTls(tls);
        ListenerConfig l = RootConfigReader.parse("bench.yaml", ProxyConfigs.dicomlbYaml("s", route, LISTEN, ADMIN)).engine()
                .listeners().getFirst();
        assertThat(l.tls()).get().satisfies(t -> assertThat(t.certificate()).isEqualTo(tls.chain()));
        String cfg = ProxyConfigs.haproxyCfg("s", route, LISTEN, 2, 65536);
        assertThat(cfg).contains("bind 127.0.0.1:17101 ssl crt " + tls.combined(), "ssl-min-ver TLSv1.2",
                "ssl-default-bind-ciphersuites TLS_AES_256_GCM_SHA384");
        // haproxy -c loads the certificate and checks the TLS settings without binding anything.
        Path file = Files.writeString(dir.resolve("haproxy-tls.cfg"), cfg);
        Process p = new ProcessBuilder("haproxy", "-c", "-f", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
