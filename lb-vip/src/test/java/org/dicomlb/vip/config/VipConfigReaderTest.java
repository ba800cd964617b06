package org.dicomlb.vip.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.junit.jupiter.api.Test;

class VipConfigReaderTest {
    private static final Set<String> POOLS = Set.of("archive", "legacy");
    private static final Set<String> LISTENERS = Set.of("dicom");
    private final Problems problems = new Problems();

    private VipConfig read(String yaml) throws Exception {
        Section root = Section.of(YamlTree.parse("lb.yaml", yaml), problems, "the configuration").orElseThrow();
        VipConfig c = root.section("vip").map(s -> VipConfigReader.read(s, POOLS, LISTENERS)).orElse(null);
        root.finish();
        return c;
    }

    private List<String> errors() {
        return problems.errors().stream().sorted().map(ConfigError::toString).toList();
    }

    @Test
    void readsEveryKey() throws Exception {
        VipConfig c = read("""
                vip:
                  interface: eth0
                  addresses: [192.0.2.10/24, 192.0.2.11]
                  virtual-router-id: 51
                  priority: 150
                  advert-interval: 200ms
                  preempt: true
                  preempt-delay: 30s
                  unicast-peers: [192.0.2.2]
                  unicast-source: 192.0.2.1
                  track:
                    listeners: [dicom]
                    pools: [archive, legacy]
                    priority-drop: 60
                """);
        assertThat(errors()).isEmpty();
        assertThat(c.interfaceName()).isEqualTo("eth0");
        assertThat(c.addresses()).extracting(VipAddress::toString).containsExactly("192.0.2.10/24", "192.0.2.11/32");
        assertThat(c.virtualRouterId()).isEqualTo(51);
        assertThat(c.priority()).isEqualTo(150);
        assertThat(c.advertInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.preemption()).isEqualTo(new Preemption(true, Duration.ofSeconds(30)));
        assertThat(c.unicastPeers()).containsExactly((java.net.Inet4Address) InetAddress.ofLiteral("192.0.2.2"));
        assertThat(c.unicastSource()).contains((java.net.Inet4Address) InetAddress.ofLiteral("192.0.2.1"));
        assertThat(c.tracking()).isEqualTo(new Tracking(List.of("dicom"), List.of("archive", "legacy"), 60));
    }

    @Test
    void theSmallestSectionGetsTheDocumentedDefaults() throws Exception {
        VipConfig c = read("""
                vip:
                  interface: bond0.104
                  addresses: [192.0.2.10/24]
                  virtual-router-id: 7
                """);
        assertThat(errors()).isEmpty();
        assertThat(c.priority()).isEqualTo(100);
        assertThat(c.advertInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.preemption()).isEqualTo(Preemption.OFF);
        assertThat(c.unicastPeers()).isEmpty();
        assertThat(c.unicastSource()).isEmpty();
        assertThat(c.tracking().isEmpty()).isTrue();
        assertThat(c.tracking().priorityDrop()).isEqualTo(100);
        // RFC 5798 timing for priority 100 at 100 ms: skew 60.9 ms, master down 360.9 ms.
        assertThat(c.skewTime()).isEqualTo(Duration.ofNanos(60_937_500));
        assertThat(c.masterDownInterval()).isEqualTo(Duration.ofNanos(360_937_500));
    }

    @Test
    void everyMistakeIsReportedWithItsPosition() throws Exception {
        VipConfig c = read("""
                vip:
                  interface: "eth0 {"
                  addresses: [192.0.2.10/33, "2001:db8::1", 127.0.0.1, 192.0.2.10, 192.0.2.10]
                  virtual-router-id: 256
                  priority: 255
                  advert-interval: 105ms
                  preempt-delay: 10s
                  unicast-source: 192.0.2.1
                  track:
                    pools: [archive, archiv, archive]
                    listeners: [dicom, 7]
                    priority-drop: 0
                    weight: 3
                  vrid: 5
                """);
        assertThat(c).isNull();
        assertThat(errors()).containsExactly(
                "lb.yaml:2:14: 'interface': 'eth0 {' is not an interface name (1 to 15 letters, digits, '.', '_', '-', '@')",
                "lb.yaml:3:14: 'addresses' lists 192.0.2.10 twice",
                "lb.yaml:3:15: 'addresses': '192.0.2.10/33': the prefix length must be 1..32",
                "lb.yaml:3:30: 'addresses': '2001:db8::1' is an IPv6 address; floating addresses are IPv4 only",
                "lb.yaml:3:45: 'addresses': 127.0.0.1 cannot float between hosts (it is a wildcard, loopback, multicast or link-local address)",
                "lb.yaml:4:22: 'virtual-router-id' is 256; it must be between 1 and 255",
                "lb.yaml:5:13: 'priority' is 255; it must be between 1 and 254",
                "lb.yaml:6:20: 'advert-interval' must be a multiple of 10ms (VRRPv3 counts centiseconds), not 105ms",
                "lb.yaml:7:18: 'preempt-delay' applies only with 'preempt: true'",
                "lb.yaml:8:19: 'unicast-source' applies only with 'unicast-peers'",
                "lb.yaml:10:22: tracks pool 'archiv', which is not defined; defined: archive, legacy",
                "lb.yaml:10:30: pool 'archive' is tracked twice",
                "lb.yaml:11:24: tracks listener '7', which is not defined; defined: dicom",
                "lb.yaml:12:20: 'priority-drop' is 0; it must be between 1 and 253",
                "lb.yaml:13:5: unknown key 'weight' in the configuration vip track; expected one of: listeners, pools, priority-drop",
                "lb.yaml:14:3: unknown key 'vrid' in the configuration vip; expected one of: interface, addresses, "
                        + "virtual-router-id, priority, advert-interval, preempt, preempt-delay, unicast-peers, unicast-source, track");
    }

    @Test
    void missingRequiredKeysAreNamed() throws Exception {
        assertThat(read("vip: { priority: 120 }")).isNull();
        assertThat(errors()).containsExactly(
                "lb.yaml:1:6: the configuration vip needs 'addresses' (the floating addresses, e.g. [192.0.2.10/24])",
                "lb.yaml:1:6: the configuration vip needs 'interface' (where the VIP lives, e.g. eth0)",
                "lb.yaml:1:6: the configuration vip needs 'virtual-router-id' (1..255, the same on both nodes of the pair)");
    }

    @Test
    void aTrackedListenerThatIsNotDefinedIsAnError() throws Exception {
        assertThat(read("""
                vip:
                  interface: eth0
                  addresses: [192.0.2.10/24]
                  virtual-router-id: 51
                  track: { listeners: [dicom-tls] }
                """)).isNull();
        assertThat(errors()).containsExactly("lb.yaml:5:24: tracks listener 'dicom-tls', which is not defined; defined: dicom");
    }

    @Test
    void peersMustBeOtherNodesNotTheVip() throws Exception {
        assertThat(read("""
                vip:
                  interface: eth0
                  addresses: [192.0.2.10/24]
                  virtual-router-id: 51
                  unicast-peers: [192.0.2.10, "::1"]
                """)).isNull();
        assertThat(errors()).containsExactly(
                "lb.yaml:5:18: unicast peer 192.0.2.10 is one of the floating addresses; give the peer's own address",
                "lb.yaml:5:31: 'unicast-peers': '::1' is an IPv6 address; VRRP here runs over IPv4");
    }

    @Test
    void recordsRefuseWhatTheReaderWouldReport() {
        assertThatThrownBy(() -> new VipConfig("eth0", List.of(), 1, 100, Duration.ofMillis(100), Preemption.OFF,
                List.of(), Optional.empty(), Tracking.NONE)).hasMessageContaining("1 to 16 addresses");
        assertThatThrownBy(() -> new VipConfig("eth0", List.of(VipAddress.parse("192.0.2.10")), 1, 100, Duration.ofMillis(5),
                Preemption.OFF, List.of(), Optional.empty(), Tracking.NONE)).hasMessageContaining("multiple of 10ms");
        assertThatThrownBy(() -> new Preemption(false, Duration.ofSeconds(1))).hasMessageContaining("needs preempt enabled");
        assertThatThrownBy(() -> new Tracking(List.of("a", "a"), List.of(), 10)).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> VipConfig.requireInterfaceName("a-name-that-is-too-long")).hasMessageContaining("not an interface name");
    }
}
