package org.dicomlb.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.dicomlb.engine.testing.Configs;
import org.junit.jupiter.api.Test;

class EngineConfigReaderTest {

    @Test
    void readsAFullConfiguration() {
        EngineConfig c = Configs.engine("""
                listeners:
                  - name: l4
                    bind: 127.0.0.1:10400
                    mode: tcp
                    pool: archive
                    max-connections: 50
                    timeouts: { connect: 500ms, idle: 1m }
                pools:
                  - name: archive
                    balance: leastconn
                    retries: 1
                    queue: { size: 10, timeout: 2s }
                    backends:
                      - { name: a1, address: 127.0.0.11:104, weight: 3, max-connections: 4 }
                      - { name: dr, address: "[::1]:104", backup: true }
                """);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.maxConnections()).isEqualTo(50);
        assertThat(l.timeouts()).isEqualTo(new Timeouts(Duration.ofMillis(500), Duration.ofMinutes(1), Duration.ofSeconds(10)));
        PoolConfig p = c.pool("archive").orElseThrow();
        assertThat(p.balance()).isEqualTo(Balance.LEASTCONN);
        assertThat(p.queue()).isEqualTo(new QueueConfig(10, Duration.ofSeconds(2)));
        assertThat(p.backend("a1").weight()).isEqualTo(3);
        assertThat(p.backend("a1").maxConnections()).isEqualTo(4);
        assertThat(p.backend("dr").backup()).isTrue();
    }

    @Test
    void reportsThreeDifferentMistakesWithPositions() {
        assertThat(Configs.errors("""
                listeners:
                  - name: l4
                    bind: 127.0.0.1:104
                    pool: archiv
                pools:
                  - name: archive
                    balance: fastest
                    backends:
                      - { name: a1, address: 127.0.0.11:104, wieght: 2 }
                """)).containsExactly(
                "test.yaml:4:11: listener 'l4' uses pool 'archiv', which is not defined (pools: archive)",
                "test.yaml:7:14: 'balance' must be one of roundrobin | leastconn | source | first, not 'fastest'",
                "test.yaml:9:46: unknown key 'wieght' in pool 'archive' backend 'a1'; did you mean 'weight'?");
    }

    @Test
    void duplicateNamesAndOverlappingBinds() {
        assertThat(Configs.errors("""
                listeners:
                  - { name: a, bind: 127.0.0.1:104, pool: p }
                  - { name: a, bind: 0.0.0.0:104, pool: p }
                  - { name: c, bind: "[::]:104", pool: p }
                pools:
                  - name: p
                    backends:
                      - { name: b, address: 127.0.0.11:104 }
                      - { name: b, address: 127.0.0.12:104 }
                """)).containsExactly(
                "test.yaml:3:13: duplicate listener name 'a' (first at line 2)",
                "test.yaml:3:22: listener 'a' binds 0.0.0.0:104, which listener 'a' already binds (test.yaml:2:22)",
                "test.yaml:4:22: listener 'c' binds [0:0:0:0:0:0:0:0]:104, which listener 'a' already binds (test.yaml:2:22)",
                "test.yaml:9:17: duplicate backend name 'b' (first at line 8)");
    }

    @Test
    void badValuesAreLocated() {
        assertThat(Configs.errors("""
                listeners:
                  - { name: "bad name", bind: "localhost:104", pool: p, timeouts: { idle: 10 } }
                pools:
                  - { name: p, backends: [ { name: b, address: 127.0.0.11:70000, weight: 2000 } ] }
                """)).containsExactly(
                "test.yaml:2:13: listener name 'bad name' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit",
                "test.yaml:2:31: 'bind': 'localhost' is not an IP address (hostnames are not resolved here; use a dns backend for names)",
                "test.yaml:2:75: 'idle': '10' is not a duration; write e.g. 500ms, 10s, 5m, 1h or 1m30s",
                "test.yaml:4:48: 'address': '127.0.0.11:70000': port 70000 is out of range 1..65535",
                "test.yaml:4:74: 'weight' is 2000; it must be between 0 and 1000");
    }

    @Test
    void missingSectionsAndEmptyPools() {
        assertThat(Configs.errors("""
                pools:
                  - name: p
                    backends: []
                unknown: 1
                """)).containsExactly(
                "test.yaml:1:1: the configuration needs 'listeners' (at least one)",
                "test.yaml:3:15: pool 'p' has no backends",
                "test.yaml:4:1: unknown key 'unknown' in the configuration; expected one of: pools, listeners");
    }
    @Test
    void aBackendWithDnsResolvesANameWithTheKeysOfThatKind() {
        PoolConfig p = Configs.engine("""
                listeners:
                  - { name: l, bind: 127.0.0.1:104, pool: legacy }
                pools:
                  - name: legacy
                    balance: first
                    backends:
                      - name: via-gslb
                        dns: Dicom.Example.org.
                        port: 104
                        resolvers: [127.0.0.1:5353, 127.0.0.53:53]
                        resolve-interval: 5s
                        addresses: all
                        on-change: shutdown
                        weight: 2
                        called-ae: ARCHIVE
                      - { name: fixed, address: 127.0.0.11:104, backup: true }
                """).pool("legacy").orElseThrow();
        BackendConfig b = p.backend("via-gslb");
        assertThat(b.weight()).isEqualTo(2);
        assertThat(b.calledAe()).isPresent();
        assertThat(b.address()).isInstanceOfSatisfying(BackendAddress.Dns.class, d -> {
            assertThat(d.config().name()).isEqualTo("dicom.example.org");
            assertThat(d.config().port()).isEqualTo(104);
            assertThat(d.config().resolvers()).hasSize(2);
            assertThat(d.config().resolveInterval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(d.config().addresses()).isEqualTo(org.dicomlb.dnsproxy.config.AddressMode.ALL);
            assertThat(d.config().onChange()).isEqualTo(org.dicomlb.dnsproxy.config.OnChange.SHUTDOWN);
            assertThat(d.describe()).isEqualTo("dicom.example.org:104");
        });
        assertThat(p.backend("fixed").address()).isInstanceOf(BackendAddress.Static.class);
    }

    @Test
    void aBackendHasAnAddressOrADnsNameNotBothNorNeither() {
        assertThat(Configs.errors("""
                listeners:
                  - { name: l, bind: 127.0.0.1:104, pool: p }
                pools:
                  - name: p
                    backends:
                      - { name: both, address: 127.0.0.11:104, dns: dicom.example.org, port: 104, resolvers: [127.0.0.1:53] }
                      - { name: neither, weight: 2 }
                      - { name: mixed, address: 127.0.0.12:104, resolvers: [127.0.0.1:53], on-change: shutdown }
                      - { name: bad, dns: 10.0.0.1, port: 104, resolvers: [127.0.0.1:53], resolve-fall: 0 }
                """)).containsExactly(
                "test.yaml:6:53: pool 'p' backend 'both' has both 'address' and 'dns'; give 'address: ip:port' for a fixed "
                        + "server or 'dns: NAME' for a name resolved on a schedule, not both",
                "test.yaml:7:9: pool 'p' backend 'neither' needs 'address' (ip:port of a fixed server) or 'dns' (a hostname "
                        + "resolved on a schedule)",
                "test.yaml:8:60: 'resolvers' applies to dns backends only (pool 'p' backend 'mixed' has a fixed 'address')",
                "test.yaml:8:87: 'on-change' applies to dns backends only (pool 'p' backend 'mixed' has a fixed 'address')",
                "test.yaml:9:27: 'dns': '10.0.0.1' is an IP address, not a name; use 'address: ip:port' for a fixed backend",
                "test.yaml:9:89: 'resolve-fall' is 0; it must be between 1 and 100");
    }
}
