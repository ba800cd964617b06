package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.echo.EchoRequest;
import org.dicomlb.dicom.echo.EchoResult;
import org.dicomlb.dicom.echo.StandaloneEchoScu;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The Grafana dashboard and the Prometheus alert rules under {@code ops/} use only metrics that a
 * running appliance really exports, and the rules are valid Prometheus rules whose unit tests
 * pass (promtool, from Debian's {@code prometheus} package).
 *
 * <p>The appliance runs in-process with a dicom and a tcp listener, pools, and a GSLB, and is
 * made to do everything whose meters appear only once it happens: an association accepted, one
 * rejected (no eligible backend), a backend refusing a connection, DNS queries, health checks, a
 * reload. Addresses: admin, listeners and the GSLB on 127.0.0.1; the simulated archive on
 * 127.0.0.11, the tcp backend on 127.0.0.12, a refusing backend on 127.0.0.13; the GSLB member's
 * VIP 127.0.1.1 is checked at the archive.
 */
class OpsArtifactsTest {
    private static final Path OPS = Path.of("..", "ops");
    private static final Path DASHBOARD = OPS.resolve("grafana/dicomlb-dashboard.json");
    private static final Path RULES = OPS.resolve("prometheus/dicomlb-alerts.yml");
    private static final Path RULE_TESTS = OPS.resolve("prometheus/dicomlb-alerts.test.yml");
    /** A metric name as PromQL writes one: our own and the JVM/process binders' families. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:dicomlb|jvm|process|system)_[a-z0-9_]+)\\b");

    @TempDir
    Path dir;

    @Test
    void everyMetricTheDashboardAndTheRulesUseExistsOnARunningAppliance() throws Exception {
        Set<String> used = new TreeSet<>();
        used.addAll(metricsIn(dashboardExpressions()));
        used.addAll(metricsIn(List.of(Files.readString(RULES))));
        assertThat(used).as("the dashboard and the rules read dicomlb's metrics").contains("dicomlb_endpoint_up",
                "dicomlb_pool_backends_eligible", "dicomlb_listener_rejected_total", "dicomlb_vip_state",
                "dicomlb_gslb_failback_pending");

        Set<String> exported = new TreeSet<>(exportedByARunningAppliance());
        exported.addAll(exportedByTheVip());
        List<String> missing = new ArrayList<>();
        for (String name : used) {
            if (!exported.contains(name)) {
                missing.add(name);
            }
        }
        assertThat(missing).as("metrics used by ops/ but not on /metrics (exported: %s)", exported).isEmpty();
    }

    /**
     * The VIP's meters, registered by lb-vip's runtime as the appliance builds it for a vip:
     * section. Running one for real takes keepalived, CAP_NET_ADMIN and an interface to float the
     * address on (lb-vip's and the harness's VIP tests do that in namespaces); the meters are
     * registered when the runtime is made, before keepalived starts, so making it is enough to see
     * their names as /metrics writes them.
     */
    private Set<String> exportedByTheVip() throws IOException {
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        org.dicomlb.vip.ServingView nothing = new org.dicomlb.vip.ServingView() {
            @Override
            public boolean listenerBound(String listener) {
                return false;
            }

            @Override
            public boolean poolServable(String pool) {
                return false;
            }
        };
        Path runtime = Files.createDirectories(dir.resolve("vip-runtime"));
        org.dicomlb.vip.VipRuntime vip = new org.dicomlb.vip.VipRuntime(nothing, registry,
                org.dicomlb.vip.VipRuntime.Options.defaults(runtime, "OpsArtifactsTest"));
        try {
            return seriesNames(registry.scrape());
        } finally {
            vip.close();
        }
    }

    @Test
    void theAlertRulesAreValidAndTheirUnitTestsPass() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertThat(Files.isExecutable(promtool))
                .as("promtool (Debian package prometheus) is missing: run sudo bash scripts/install-test-deps.sh").isTrue();
        String check = run(List.of(promtool.toString(), "check", "rules", RULES.toString()));
        assertThat(check).contains("SUCCESS: 8 rules found");
        String tests = run(List.of(promtool.toString(), "test", "rules", RULE_TESTS.toString()));
        assertThat(tests).contains("SUCCESS");
    }

    @Test
    void theDashboardIsSelfContainedAndLaidOutOnGrafanasGrid() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(d.path("uid").asText()).isEqualTo("dicomlb-overview");
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode p : d.path("panels")) {
            assertThat(ids.add(p.path("id").asInt())).as("panel ids are unique: %s", p.path("id")).isTrue();
            JsonNode g = p.path("gridPos");
            assertThat(g.path("x").asInt() + g.path("w").asInt()).as(p.path("title").asText()).isLessThanOrEqualTo(24);
            if (!p.path("type").asText().equals("row")) {
                assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
                assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
            }
        }
        assertThat(Files.readString(DASHBOARD)).doesNotContain("http://", "https://");
    }

    private static List<String> dashboardExpressions() throws IOException {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode p : d.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText());
            }
        }
        for (JsonNode v : d.path("templating").path("list")) {
            out.add(v.path("definition").asText(""));
        }
        return out;
    }

    private static Set<String> metricsIn(List<String> texts) {
        Set<String> names = new TreeSet<>();
        for (String t : texts) {
            Matcher m = METRIC.matcher(t);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private Set<String> exportedByARunningAppliance() throws Exception {
        int admin = Ports.free("127.0.0.1");
        int dicom = Ports.free("127.0.0.1");
        int tcp = Ports.free("127.0.0.1");
        int refusing = Ports.free("127.0.0.1");
        int dns = Ports.free("127.0.0.1");
        try (SimulatedScp archive = SimulatedScp.start(ScpConfig.of(AeTitle.of("ARCHIVE")), new InetSocketAddress("127.0.0.11", 0));
             TestBackend plain = TestBackend.start("t1", "127.0.0.12");
             StandaloneEchoScu echo = StandaloneEchoScu.create()) {
            int archivePort = archive.localAddress().getPort();
            Path config = dir.resolve("dicomlb.yaml");
            String yaml = """
                    admin: { listen: 127.0.0.1:%d }
                    listeners:
                      - { name: dicom, bind: 127.0.0.1:%d, mode: dicom, pool: archive,
                          routes: [{ called-ae: EMPTY, pool: drained }] }
                      - { name: plain, bind: 127.0.0.1:%d, mode: tcp, pool: refusing, timeouts: { connect: 1s } }
                    pools:
                      - name: archive
                        health-check: { type: dicom-echo, interval: 500ms, timeout: 400ms, called-ae: ARCHIVE }
                        backends: [{ name: a1, address: 127.0.0.11:%d }]
                      - name: drained
                        health-check: none
                        backends: [{ name: d1, address: 127.0.0.11:%d }]
                      - name: refusing
                        retries: 0
                        health-check: none
                        backends: [{ name: r1, address: 127.0.0.13:%d }, { name: t1, address: %s, weight: 1 }]
                    gslb:
                      listen: 127.0.0.1:%d
                      zones:
                        - { name: dicom.example.org, nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }] }
                      names:
                        - name: dicom.example.org
                          failback: manual
                          members:
                            - { name: site-a, address: 127.0.1.1, check: { type: tcp, address: "127.0.0.11:%d", interval: 500ms, timeout: 400ms } }
                    """.formatted(admin, dicom, tcp, archivePort, archivePort, refusing, plain.hostPort(), dns, archivePort);
            Files.writeString(config, yaml);
            try (Appliance app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true),
                    AccessLog.toLogger())) {
                app.setBackendState("drained", "d1", AdminState.DRAIN).get(10, TimeUnit.SECONDS);
                Eventually.until(() -> app.status().pools().getFirst().backends().getFirst().health().equals("up"),
                        Duration.ofSeconds(10), app::status);
                InetSocketAddress lb = new InetSocketAddress(InetAddress.getLoopbackAddress(), dicom);
                assertThat(echo.echo(new EchoRequest(AeTitle.of("CT01"), AeTitle.of("ARCHIVE"), lb, Duration.ofSeconds(10))).join())
                        .isInstanceOf(EchoResult.Success.class);
                assertThat(echo.echo(new EchoRequest(AeTitle.of("CT01"), AeTitle.of("EMPTY"), lb, Duration.ofSeconds(10))).join())
                        .isInstanceOf(EchoResult.Rejected.class);
                // Round robin over a refusing and a working backend: a few tries meet the refusal.
                for (int i = 0; i < 4; i++) {
                    try (Socket s = new Socket("127.0.0.1", tcp)) {
                        s.setSoTimeout(5000);
                        s.getInputStream().read();
                    }
                }
                dnsQuery(dns);
                assertThat(app.reload().get(30, TimeUnit.SECONDS).applied()).isTrue();
                Eventually.until(() -> app.scrape().contains("dicomlb_backend_connect_failures_total")
                        && app.scrape().contains("dicomlb_association_rejects_total"), Duration.ofSeconds(10), app::scrape);
                return seriesNames(app.scrape());
            }
        }
    }

    private static void dnsQuery(int port) throws IOException {
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString("dicom.example.org."), Type.A, DClass.IN)).toWire();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            s.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), port));
            byte[] buf = new byte[1500];
            s.receive(new DatagramPacket(buf, buf.length));
        }
    }

    private static Set<String> seriesNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{');
            names.add((end < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, end)).strip());
        }
        return names;
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}
