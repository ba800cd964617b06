package org.dicomlb.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.dicomlb.l4.config.L4Config;
import org.dicomlb.l4.config.L4Listener;
import org.dicomlb.l4.testing.FakePools;
import org.dicomlb.l4.testing.Nft;
import org.dicomlb.vip.testing.Lab;
import org.dicomlb.vip.testing.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime against a real kernel: nft, the neighbour table and the interfaces of a namespace
 * the test makes (the runtime in this JVM runs its commands through {@code ip netns exec}).
 *
 * <p>Addresses (inside the test's namespaces, on a bridge): {@code -lb} 10.77.0.1/24 (the
 * appliance; the VIP 10.77.0.10 is only a number in its rules), {@code -rs1} 10.77.0.11,
 * {@code -rs2} 10.77.0.12; 10.77.0.99 is nobody (its ARP goes unanswered).
 */
@Timeout(180)
class L4RuntimeTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final InetSocketAddress VIP = new InetSocketAddress("10.77.0.10", 104);

    private static L4Runtime runtime(Lab lab, FakePools pools, SimpleMeterRegistry registry) {
        return new L4Runtime(pools, registry, new L4Runtime.Options("dicomlb", Nft.launcher(lab, "lb"), Duration.ofMillis(200),
                Duration.ofMillis(400)));
    }

    private static Map<String, L4Status.Backend> backends(L4Runtime r, String listener) {
        return r.status().listeners().stream().filter(l -> l.name().equals(listener)).findFirst().orElseThrow()
                .backends().stream().collect(Collectors.toMap(L4Status.Backend::name, b -> b));
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    @Test
    void dsrFollowsThePoolsAndTheNeighbours() throws Exception {
        try (Lab lab = new Lab()) {
            lab.attach("lb", "10.77.0.1/24");
            lab.attach("rs1", "10.77.0.11/24");
            lab.attach("rs2", "10.77.0.12/24");
            String mac1 = Nft.mac(lab, "rs1");
            String mac2 = Nft.mac(lab, "rs2");
            FakePools pools = new FakePools();
            pools.set("archive", PoolView.Balance.FLOW, FakePools.up("archive", "rs1", "10.77.0.11", 104),
                    FakePools.up("archive", "rs2", "10.77.0.12", 104), FakePools.up("archive", "ghost", "10.77.0.99", 104));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            L4Config config = new L4Config(List.of(L4Listener.dsr("dicom", VIP, "archive", "eth0", Duration.ofMinutes(30), 1000)));
            try (L4Runtime r = runtime(lab, pools, registry)) {
                L4Status s = await(r.apply(config));
                assertThat(s.applied()).isTrue();
                // The runtime probed the real servers itself: their MACs are in the rules.
                Map<String, L4Status.Backend> b = backends(r, "dicom");
                assertThat(b.get("rs1").mac()).isEqualTo(mac1);
                assertThat(b.get("rs1").state()).isEqualTo("forwarding");
                assertThat(b.get("rs2").mac()).isEqualTo(mac2);
                assertThat(b.get("rs1").slots() + b.get("rs2").slots()).isEqualTo(4096);
                assertThat(b.get("ghost").state()).isEqualTo("down");
                assertThat(b.get("ghost").reason()).startsWith("no MAC address for 10.77.0.99 on eth0");
                assertThat(r.serving("dicom")).isTrue();
                String table = Nft.list(lab, "lb", "netdev", "dicomlb");
                assertThat(table).contains("device \"eth0\"", "10.77.0.10 . 104 : goto dsr_dicom", mac1, mac2,
                        "ether saddr set " + Nft.mac(lab, "lb"));
                Wait.until(WITHIN, "the ghost's ARP to fail", () -> backends(r, "dicom").get("ghost").reason().contains("ARP unanswered"));

                // rs1 goes down: out of the new-flow and fallback tables and the alive set at once.
                pools.set("archive", PoolView.Balance.FLOW, FakePools.down("archive", "rs1", "10.77.0.11", 104),
                        FakePools.up("archive", "rs2", "10.77.0.12", 104));
                r.poolsChanged();
                Wait.until(WITHIN, "rs1 to be down", () -> backends(r, "dicom").get("rs1").state().equals("down"));
                assertThat(backends(r, "dicom").get("rs1").reason()).isEqualTo("health: connect timeout");
                assertThat(backends(r, "dicom").get("rs2").slots()).isEqualTo(4096);
                String after = Nft.list(lab, "lb", "netdev", "dicomlb");
                String alive = after.substring(after.indexOf("set alive_dicom"), after.indexOf("}", after.indexOf("set alive_dicom")));
                assertThat(alive).contains(mac2).doesNotContain(mac1);
                assertThat(after).contains("map { 0-4095 : " + mac2 + " }");

                // rs2 drains as well: nothing takes new flows, but rs2 keeps its flows.
                pools.set("archive", PoolView.Balance.FLOW, FakePools.down("archive", "rs1", "10.77.0.11", 104),
                        FakePools.drained("archive", "rs2", "10.77.0.12", 104));
                r.poolsChanged();
                Wait.until(WITHIN, "rs2 to drain", () -> backends(r, "dicom").get("rs2").state().equals("draining"));
                assertThat(r.serving("dicom")).isFalse();
                assertThat(registry.get("dicomlb.l4.forwarding").tag("listener", "dicom").gauge().value()).isZero();
                String drained = Nft.list(lab, "lb", "netdev", "dicomlb");
                assertThat(drained).contains("tcp flags syn / syn,ack accept"); // a SYN goes to this host's stack: a reset

                // Counters: packets the kernel forwarded, in status and metrics.
                assertThat(registry.get("dicomlb.l4.packets").tags("listener", "dicom", "backend", "rs2").functionCounter().count())
                        .isZero();

                // A configuration the host cannot serve changes nothing.
                L4Config wrongInterface = new L4Config(List.of(L4Listener.dsr("dicom", VIP, "archive", "eth9",
                        Duration.ofMinutes(30), 1000)));
                assertThatThrownBy(() -> await(r.apply(wrongInterface))).isInstanceOf(ExecutionException.class)
                        .hasMessageContaining("there is no interface 'eth9' on this host");
                assertThatThrownBy(() -> await(r.check(wrongInterface))).hasMessageContaining("'eth9'");
                assertThat(r.status().listeners().getFirst().interfaceName()).isEqualTo("eth0");
                assertThat(Nft.list(lab, "lb", "netdev", "dicomlb")).contains("device \"eth0\"");

                // nat needs forwarding on.
                L4Config withNat = new L4Config(List.of(config.listeners().getFirst(),
                        L4Listener.nat("natted", new InetSocketAddress("10.77.0.10", 11112), "archive", true)));
                lab.exec("lb", "sysctl", "-qw", "net.ipv4.ip_forward=0");
                assertThatThrownBy(() -> await(r.apply(withNat))).hasMessageContaining("sysctl -w net.ipv4.ip_forward=1");
                assertThat(Nft.exists(lab, "lb", "ip", "dicomlb")).isFalse();
                lab.exec("lb", "sysctl", "-qw", "net.ipv4.ip_forward=1");
                await(r.check(withNat));
                await(r.apply(withNat));
                assertThat(Nft.list(lab, "lb", "ip", "dicomlb")).contains("10.77.0.10 . 11112 : goto nat_natted",
                        "elements = { 10.77.0.11 . 104 }"); // rs1, down: its established connections are reset
                assertThat(r.status().listeners()).extracting(L4Status.Listener::source).containsExactly("client", "appliance");

                // Without kernel listeners the tables go.
                await(r.apply(L4Config.EMPTY));
                assertThat(Nft.exists(lab, "lb", "netdev", "dicomlb")).isFalse();
                assertThat(Nft.exists(lab, "lb", "ip", "dicomlb")).isFalse();
                assertThat(registry.find("dicomlb.l4.packets").meters()).isEmpty();
                await(r.apply(config));
                assertThat(Nft.exists(lab, "lb", "netdev", "dicomlb")).isTrue();
            }
            // close removed them.
            assertThat(Nft.exists(lab, "lb", "netdev", "dicomlb")).isFalse();
        }
    }

    @Test
    void leftoversOfAnEarlierRunAreReplacedAndATableRemovedByHandComesBack() throws Exception {
        try (Lab lab = new Lab()) {
            lab.attach("lb", "10.77.0.1/24");
            lab.attach("rs1", "10.77.0.11/24");
            lab.exec("lb", "nft", "add", "table", "netdev", "dicomlb");
            lab.exec("lb", "nft", "add", "counter", "netdev", "dicomlb", "stale_counter");
            FakePools pools = new FakePools();
            pools.set("archive", PoolView.Balance.SOURCE, FakePools.up("archive", "rs1", "10.77.0.11", 104));
            L4Config config = new L4Config(List.of(L4Listener.dsr("dicom", VIP, "archive", "eth0", Duration.ofMinutes(30), 1000)));
            try (L4Runtime r = runtime(lab, pools, new SimpleMeterRegistry())) {
                await(r.apply(config));
                String table = Nft.list(lab, "lb", "netdev", "dicomlb");
                assertThat(table).doesNotContain("stale_counter").contains("jhash ip saddr mod 4096");
                lab.exec("lb", "nft", "delete", "table", "netdev", "dicomlb");
                pools.set("archive", PoolView.Balance.SOURCE, FakePools.drained("archive", "rs1", "10.77.0.11", 104));
                r.poolsChanged();
                Wait.until(WITHIN, "the table to be back", () -> Nft.exists(lab, "lb", "netdev", "dicomlb"));
                Wait.until(WITHIN, "rs1 to drain", () -> backends(r, "dicom").get("rs1").state().equals("draining"));
                assertThat(r.status().applied()).isTrue();
                assertThat(r.status().error()).isNull();
            }
        }
    }
}
