package org.dicomlb.dnsproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsBackendReaderTest {
    private final Problems problems = new Problems();
    @TempDir
    Path dir;

    private Optional<DnsBackendConfig> read(String yaml) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        if (!Files.exists(resolvConf)) {
            Files.writeString(resolvConf, "# written by the test\nsearch example.org\nnameserver 127.0.0.53\noptions edns0\n");
        }
        return read(yaml, resolvConf);
    }

    private Optional<DnsBackendConfig> read(String yaml, Path resolvConf) throws Exception {
        Section s = Section.of(YamlTree.parse("lb.yaml", yaml), problems, "pool 'legacy' backend 'via-gslb'").orElseThrow();
        // The engine reads the keys every backend has, then calls the dns reader, then finish().
        s.requiredString("name");
        Optional<DnsBackendConfig> c = DnsBackendReader.read(s, resolvConf);
        s.finish();
        return c;
    }

    private List<String> errors() {
        return problems.errors().stream().map(ConfigError::toString).toList();
    }

    private static InetSocketAddress addr(String ip, int port) {
        return new InetSocketAddress(java.net.InetAddress.ofLiteral(ip), port);
    }

    @Test
    void readsEveryKey() throws Exception {
        DnsBackendConfig c = read("""
                name: via-gslb
                dns: Dicom.Example.org.
                port: 104
                resolvers: [127.0.0.1:5353, "[::1]:53"]
                resolve-interval: 5s
                resolve-timeout: 500ms
                resolve-fall: 2
                family: any
                addresses: all
                on-change: shutdown
                """).orElseThrow();
        assertThat(errors()).isEmpty();
        assertThat(c).isEqualTo(new DnsBackendConfig("dicom.example.org", 104,
                List.of(addr("127.0.0.1", 5353), addr("::1", 53)), Duration.ofSeconds(5), Duration.ofMillis(500), 2,
                Family.ANY, AddressMode.ALL, OnChange.SHUTDOWN));
    }

    @Test
    void defaultsAreTheDocumentedOnesWithTheSystemsResolvers() throws Exception {
        DnsBackendConfig c = read("{ name: b, dns: dicom.example.org, port: 104 }").orElseThrow();
        assertThat(errors()).isEmpty();
        assertThat(c.resolvers()).containsExactly(addr("127.0.0.53", 53));
        assertThat(c.resolveInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.resolveTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.resolveFall()).isEqualTo(3);
        assertThat(c.family()).isEqualTo(Family.IPV4);
        assertThat(c.addresses()).isEqualTo(AddressMode.FIRST);
        assertThat(c.onChange()).isEqualTo(OnChange.KEEP);
    }

    @Test
    void theDefaultTimeoutFollowsAShortInterval() throws Exception {
        DnsBackendConfig c = read("{ name: b, dns: dicom.example.org, port: 104, resolvers: [127.0.0.1:53], resolve-interval: 1s }")
                .orElseThrow();
        assertThat(c.resolveTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void withoutResolversAndWithoutANameserverTheErrorSaysWhatToWrite() throws Exception {
        Path empty = dir.resolve("empty-resolv.conf");
        Files.writeString(empty, "search example.org\n");
        assertThat(read("{ name: b, dns: dicom.example.org, port: 104 }", empty)).isEmpty();
        assertThat(errors()).containsExactly("lb.yaml:1:1: pool 'legacy' backend 'via-gslb': no 'resolvers' given and "
                + empty + " lists no nameserver; list the resolvers to ask, e.g. resolvers: [127.0.0.1:53]");
    }

    @Test
    void aMissingResolvConfIsAClearError() throws Exception {
        assertThat(read("{ name: b, dns: dicom.example.org, port: 104 }", dir.resolve("nope"))).isEmpty();
        assertThat(errors()).singleElement().asString().contains("does not exist").contains("resolvers: [127.0.0.1:53]");
    }

    @Test
    void systemResolversAreReadInOrderWithoutDuplicates() throws Exception {
        Path f = dir.resolve("resolv.conf");
        Files.writeString(f, "nameserver 10.0.0.2\nnameserver ::1\n  nameserver 10.0.0.2\nnameserver bogus\n#nameserver 10.9.9.9\n");
        assertThat(SystemResolvers.read(f)).containsExactly(addr("10.0.0.2", 53), addr("::1", 53));
    }

    @Test
    void everyMistakeIsReportedAtItsPosition() throws Exception {
        assertThat(read("""
                name: via-gslb
                dns: 10.0.0.1
                resolvers: [127.0.0.1, 127.0.0.1:53, 127.0.0.1:53]
                resolve-interval: 10
                resolve-timeout: 2m
                resolve-fall: 0
                family: ipv5
                addresses: some
                on-change: close
                resolve-fal: 3
                """)).isEmpty();
        assertThat(errors()).containsExactly(
                "lb.yaml:2:6: 'dns': '10.0.0.1' is an IP address, not a name; use 'address: ip:port' for a fixed backend",
                "lb.yaml:1:1: pool 'legacy' backend 'via-gslb' needs 'port': the port to connect to on each resolved address",
                "lb.yaml:3:13: 'resolvers': '127.0.0.1' has no port; write host:port, e.g. 127.0.0.1:104",
                "lb.yaml:4:19: 'resolve-interval': '10' is not a duration; write e.g. 500ms, 10s, 5m, 1h or 1m30s",
                "lb.yaml:5:18: 'resolve-timeout' must be between 10ms and 30s",
                "lb.yaml:6:15: 'resolve-fall' is 0; it must be between 1 and 100",
                "lb.yaml:7:9: 'family' must be one of ipv4 | ipv6 | any, not 'ipv5'",
                "lb.yaml:8:12: 'addresses' must be one of first | all, not 'some'",
                "lb.yaml:9:12: 'on-change' must be one of keep | shutdown, not 'close'",
                "lb.yaml:10:1: unknown key 'resolve-fal' in pool 'legacy' backend 'via-gslb'; did you mean 'resolve-fall'?");
    }

    @Test
    void duplicateResolversAndATimeoutAsLongAsTheIntervalAreRefused() throws Exception {
        assertThat(read("{ name: b, dns: dicom.example.org, port: 104, resolvers: [127.0.0.1:53, 127.0.0.1:53],"
                + " resolve-interval: 1s, resolve-timeout: 1s }")).isEmpty();
        assertThat(errors()).containsExactly(
                "lb.yaml:1:58: 'resolvers' lists 127.0.0.1:53 twice",
                "lb.yaml:1:127: 'resolve-timeout' (1s) must be shorter than 'resolve-interval' (1s)");
    }

    @Test
    void namesAreCheckedAsHostnames() {
        assertThat(DnsBackendConfig.requireHostname("PACS-1.site_a.Example.org.")).isEqualTo("pacs-1.site_a.example.org");
        for (String bad : List.of("", ".", "a..b", "-a.example.org", "a-.example.org", "a b.example.org", "pacs:104",
                "x".repeat(64) + ".org", "::1", "[::1]")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DnsBackendConfig.requireHostname(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
