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
}
