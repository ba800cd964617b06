package org.dicomlb.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.dicomlb.engine.testing.Configs;
import org.junit.jupiter.api.Test;

/** {@code mode: dsr}, {@code mode: nat} and {@code source}: what the file may say and every mistake located. */
class KernelModesConfigTest {
    @Test
    void readsDsrNatAndTransparentListeners() {
        EngineConfig c = Configs.engine("""
                listeners:
                  - { name: dr, bind: 192.0.2.10:104, mode: dsr, interface: eth0, pool: archive,
                      timeouts: { idle: 10m }, max-connections: 5000 }
                  - { name: natted, bind: 192.0.2.10:11112, mode: nat, pool: far, source: client }
                  - { name: masq, bind: 192.0.2.10:11113, mode: nat, pool: far }
                  - { name: proxy, bind: 192.0.2.10:2104, mode: dicom, pool: far, source: client }
                pools:
                  - name: archive
                    balance: source
                    backends:
                      - { name: a1, address: 192.0.2.11:104 }
                      - { name: a2, address: 192.0.2.12:104, weight: 3 }
                  - name: far
                    backends:
                      - { name: f1, address: 198.51.100.11:11112 }
                """);
        ListenerConfig dr = c.listeners().get(0);
        assertThat(dr.mode()).isEqualTo(new ListenerMode.Dsr("eth0"));
        assertThat(dr.mode().inKernel()).isTrue();
        assertThat(dr.source()).isEqualTo(SourceAddress.CLIENT);
        assertThat(dr.timeouts().idle()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.listeners().get(1).mode()).isEqualTo(ListenerMode.Nat.INSTANCE);
        assertThat(c.listeners().get(1).source()).isEqualTo(SourceAddress.CLIENT);
        assertThat(c.listeners().get(2).source()).isEqualTo(SourceAddress.APPLIANCE);
        assertThat(c.listeners().get(3).source()).isEqualTo(SourceAddress.CLIENT);
        assertThat(c.listeners().get(3).mode().inKernel()).isFalse();
    }

    @Test
    void everyMistakeIsLocated() {
        assertThat(Configs.errors("""
                listeners:
                  - name: dr
                    bind: 192.0.2.10:104
                    mode: dsr
                    pool: archive
                    source: appliance
                    routes: [{ called-ae: X, pool: archive }]
                  - name: dr2
                    bind: 0.0.0.0:105
                    mode: dsr
                    interface: "eth0 with spaces"
                    pool: archive
                  - name: natted
                    bind: "[2001:db8::1]:104"
                    mode: nat
                    interface: eth0
                    pool: archive
                    source-limits: { connections: 3 }
                  - name: proxy
                    bind: 192.0.2.10:2104
                    mode: tcp
                    pool: archive
                    source: everybody
                  - name: web
                    bind: 192.0.2.10:8080
                    mode: http
                    pool: archive
                    source: client
                pools:
                  - name: archive
                    backends:
                      - { name: a1, address: 192.0.2.11:104 }
                      - { name: a2, address: 192.0.2.12:11112 }
                """)).containsExactly(
                "test.yaml:2:5: listener 'dr' needs 'interface'",
                "test.yaml:5:11: listener 'dr' is mode: dsr, so its real servers receive the client's packets unchanged, to"
                        + " port 104; backend 'a2' of pool 'archive' is on port 11112",
                "test.yaml:6:13: a dsr listener's real servers always see the client's address; leave 'source' out (or write"
                        + " source: client)",
                "test.yaml:7:13: 'routes' applies to mode: dicom listeners only (listener 'dr' is mode: dsr)",
                "test.yaml:9:11: a mode: dsr listener needs its own address (the VIP), not 0.0.0.0",
                "test.yaml:11:16: 'eth0 with spaces' is not an interface name (up to 15 letters, digits, '_', '.', '@' or '-')",
                "test.yaml:12:11: listener 'dr2' is mode: dsr, so its real servers receive the client's packets unchanged, to"
                        + " port 105; backend 'a1' of pool 'archive' is on port 104",
                "test.yaml:12:11: listener 'dr2' is mode: dsr, so its real servers receive the client's packets unchanged, to"
                        + " port 105; backend 'a2' of pool 'archive' is on port 11112",
                "test.yaml:14:11: mode: nat listeners serve IPv4 addresses; '2001:db8:0:0:0:0:0:1' is not one",
                "test.yaml:16:16: 'interface' applies to mode: dsr listeners only (listener 'natted' is mode: nat)",
                "test.yaml:18:20: 'source-limits' does not apply to mode: nat listeners: the kernel sees packets, not connections",
                "test.yaml:23:13: 'source' must be one of appliance | client, not 'everybody'",
                "test.yaml:28:13: source: client applies to tcp, dicom and nat listeners; an http listener reuses its backend"
                        + " connections across clients (the backends learn the client from the forwarded headers)");
    }
}
