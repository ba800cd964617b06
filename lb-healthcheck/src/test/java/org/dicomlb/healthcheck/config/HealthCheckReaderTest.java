package org.dicomlb.healthcheck.config;

import org.dicomlb.dicom.AeTitle;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.junit.jupiter.api.Test;

class HealthCheckReaderTest {
    private final Problems problems = new Problems();

    private Optional<HealthCheckConfig> read(String yaml) throws Exception {
        Section s = Section.of(YamlTree.parse("lb.yaml", yaml), problems, "pool 'archive' health-check").orElseThrow();
        return HealthCheckReader.read(s);
    }

    private List<String> errors() {
        return problems.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void emptySectionMeansTcpWithTheDocumentedDefaults() throws Exception {
        HealthCheckConfig c = read("{}").orElseThrow();
        assertThat(errors()).isEmpty();
        assertThat(c).isEqualTo(HealthCheckConfig.defaults(new TcpProbe()));
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.fastInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.downInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.rise()).isEqualTo(2);
        assertThat(c.fall()).isEqualTo(3);
        assertThat(c.spreadPercent()).isEqualTo(10);
        assertThat(c.observe()).isEqualTo(new PassiveConfig(true, 2, Duration.ofSeconds(30)));
    }

    @Test
    void defaultsFollowAShortInterval() throws Exception {
        HealthCheckConfig c = read("{ type: tcp, interval: 300ms }").orElseThrow();
        assertThat(c.fastInterval()).isEqualTo(Duration.ofMillis(300));
        assertThat(c.downInterval()).isEqualTo(Duration.ofMillis(300));
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(150));
    }

    @Test
    void readsAnHttpCheckWithEveryKey() throws Exception {
        HealthCheckConfig c = read("""
                type: http
                interval: 5s
                fast-interval: 1s
                down-interval: 10s
                timeout: 2s
                rise: 1
                fall: 5
                spread: 0%
                port: 8443
                method: head
                path: /healthz?deep=1
                host: pacs.example.org:8443
                expect-status: [200, 3xx, 401-403]
                tls: true
                tls-verify: false
                observe: { min-clients: 3, window: 1m }
                """).orElseThrow();
        assertThat(errors()).isEmpty();
        assertThat(c.probe()).isEqualTo(new HttpProbe(HttpProbe.Method.HEAD, "/healthz?deep=1",
                Optional.of("pacs.example.org:8443"),
                List.of(new StatusRange(200, 200), new StatusRange(300, 399), new StatusRange(401, 403)),
                Optional.empty(), true, false));
        assertThat(((HttpProbe) c.probe()).expectedText()).isEqualTo("200, 3xx, 401-403");
        assertThat(c.probeAddress(new InetSocketAddress("127.0.0.11", 80)))
                .isEqualTo(new InetSocketAddress("127.0.0.11", 8443));
        assertThat(c.observe()).isEqualTo(new PassiveConfig(true, 3, Duration.ofMinutes(1)));
        assertThat(c.spreadPercent()).isZero();
    }

    @Test
    void readsADicomEchoCheckForTheSecondStep() throws Exception {
        HealthCheckConfig c = read("{ type: dicom-echo, calling-ae: LB1, address: '127.0.0.20:11112', observe: false }")
                .orElseThrow();
        assertThat(c.probe()).isEqualTo(new DicomEchoProbe(AeTitle.of("LB1"), Optional.empty()));
        assertThat(((DicomEchoProbe) c.probe()).effectiveCalledAe()).isEqualTo(AeTitle.of("ANY-SCP"));
        assertThat(((DicomEchoProbe) c.probe()).withCalledAe(AeTitle.of("ARCHIVE1")).effectiveCalledAe())
                .isEqualTo(AeTitle.of("ARCHIVE1"));
        assertThat(c.probeAddress(new InetSocketAddress("127.0.0.11", 104)))
                .isEqualTo(new InetSocketAddress("127.0.0.20", 11112));
        assertThat(c.observe().enabled()).isFalse();
        assertThat(read("{ type: dicom-echo }").orElseThrow().probe())
                .isEqualTo(new DicomEchoProbe(AeTitle.of("DICOMLB"), Optional.empty()));
    }

    @Test
    void reportsEveryMistakeInAFileWithItsPosition() throws Exception {
        ConfigNode root = YamlTree.parse("lb.yaml", """
                pools:
                  - name: archive
                    health-check:
                      type: http
                      interval: 1s
                      timeout: 1s
                      rise: 0
                      fall: 101
                      spread: 20
                      path: health
                      expect-status: [200, 6xx]
                      tls-verify: false
                      calling-ae: LB
                      inteval: 2s
                  - name: qr
                    health-check:
                      type: dicom-echo
                      fast-interval: 3s
                      calling-ae: THIS_AE_TITLE_IS_TOO_LONG
                      port: 11112
                      address: 127.0.0.1:104
                      observe: { min-clients: 1, windw: 5s }
                  - name: web
                    health-check: { type: udp, path: /x }
                """);
        Section top = Section.of(root, problems, "configuration").orElseThrow();
        List<Optional<HealthCheckConfig>> read = top.sections("pools", "pool").stream()
                .map(pool -> {
                    pool.string("name", "");
                    return pool.section("health-check").flatMap(HealthCheckReader::read);
                })
                .toList();
        assertThat(read).allMatch(Optional::isEmpty);
        assertThat(problems.errors().stream().sorted().map(ConfigError::toString).toList()).containsExactly(
                "lb.yaml:6:16: 'timeout' (1s) must be shorter than 'interval' (1s): a probe has to end before the next one is due",
                "lb.yaml:7:13: 'rise' is 0; it must be between 1 and 100",
                "lb.yaml:8:13: 'fall' is 101; it must be between 1 and 100",
                "lb.yaml:9:15: 'spread': '20' is not a percentage; write e.g. 10%",
                "lb.yaml:10:13: 'path': path 'health' must start with / and hold no spaces or control characters",
                "lb.yaml:11:28: 'expect-status': '6xx' is not an HTTP status; write e.g. 200, 2xx or 200-204",
                "lb.yaml:12:19: 'tls-verify' applies only with 'tls: true'",
                "lb.yaml:13:19: 'calling-ae' is a setting of dicom-echo checks; this check is type http",
                "lb.yaml:14:7: unknown key 'inteval' in pool 'archive' health-check; did you mean 'interval'?",
                "lb.yaml:18:22: 'fast-interval' (3s) must not be longer than 'interval' (2s)",
                "lb.yaml:19:19: 'calling-ae': invalid AE title 'THIS_AE_TITLE_IS_TOO_LONG': longer than 16 characters",
                "lb.yaml:21:16: give either 'port' (same IP as the backend) or 'address' (another ip:port), not both",
                "lb.yaml:22:31: 'min-clients' is 1; it must be between 2 and 1000",
                "lb.yaml:22:34: unknown key 'windw' in pool 'qr' health-check observe; did you mean 'window'?",
                "lb.yaml:24:27: 'type' must be one of tcp | http | dicom-echo, not 'udp'");
    }

    @Test
    void typeSpecificMistakesAreLocated() throws Exception {
        assertThat(read("{ type: http, method: POST, expect-body: '' }")).isEmpty();
        assertThat(read("{ type: http, method: HEAD, expect-body: ok, expect-status: [] }")).isEmpty();
        assertThat(read("{ type: tcp, host: x, observe: maybe }")).isEmpty();
        assertThat(errors()).containsExactly(
                "lb.yaml:1:23: 'method': 'POST' is not a method a check can use; write GET, HEAD or OPTIONS",
                "lb.yaml:1:42: 'expect-body': must be 1 to 1024 characters",
                "lb.yaml:1:61: 'expect-status' must list at least one status, e.g. [200] or [2xx, 3xx]",
                "lb.yaml:1:42: 'expect-body' cannot be used with method HEAD: a HEAD response has no body",
                "lb.yaml:1:32: pool 'archive' health-check observe must be a mapping of keys to values, not the string 'maybe'",
                "lb.yaml:1:20: 'host' is a setting of http checks; this check is type tcp");
    }

    @Test
    void statusRangesParseAndPrint() {
        assertThat(StatusRange.parse("2xx")).isEqualTo(new StatusRange(200, 299));
        assertThat(StatusRange.parse(" 204 ")).hasToString("204");
        assertThat(StatusRange.parse("200-204")).hasToString("200-204");
        assertThat(StatusRange.parse("5XX").contains(503)).isTrue();
    }
}
