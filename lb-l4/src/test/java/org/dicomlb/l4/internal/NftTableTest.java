package org.dicomlb.l4.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.dicomlb.l4.L4Exception;
import org.dicomlb.l4.PoolView;
import org.dicomlb.l4.config.L4Listener;
import org.dicomlb.l4.internal.NftTable.NftObject;
import org.dicomlb.l4.testing.Nft;
import org.dicomlb.vip.testing.Lab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transactions against a real kernel, in a namespace of the test's own (one veth end as
 * {@code eth0} with 10.77.0.1/24 in {@code -lb}; nothing is sent anywhere).
 */
@Timeout(120)
class NftTableTest {
    private static final String A = "02:00:00:00:00:0a";
    private static final String B = "02:00:00:00:00:0b";

    private static NftTable table(List<String> alive, List<String> counters, String flowTimeout, List<String> rules) {
        List<NftObject> objects = new java.util.ArrayList<>();
        counters.forEach(c -> objects.add(NftObject.counter(c)));
        objects.add(NftObject.set("alive_x", "type ether_addr;", alive));
        objects.add(NftObject.dynamicMap("flows_x", "type ipv4_addr . inet_service : ether_addr; size 100; flags dynamic,timeout;"
                + " timeout " + flowTimeout + ";"));
        objects.add(NftObject.chain("dsr_x", "", rules));
        objects.add(NftObject.chain("in_eth0", "type filter hook ingress device \"eth0\" priority -100; policy accept;",
                List.of("meta pkttype host ip daddr . tcp dport vmap { 10.77.0.10 . 104 : goto dsr_x }")));
        return new NftTable("netdev", "dlbtest", objects);
    }

    @Test
    void changesKeepFlowsAndCountersAndRemoveWhatLeft() throws Exception {
        try (Lab lab = new Lab()) {
            lab.attach("lb", "10.77.0.1/24");
            LocalHost host = Nft.host(lab, "lb");
            NftTable v1 = table(List.of(A), List.of("c_a", "c_b"), "60s", List.of("ether daddr @alive_x counter name c_a"));
            host.nft(v1.transaction(null));
            lab.exec("lb", "nft", "add", "element", "netdev", "dlbtest", "flows_x", "{ 10.77.0.100 . 40000 : " + A + " }");
            String first = Nft.list(lab, "lb", "netdev", "dlbtest");
            assertThat(first).contains("counter c_a", "counter c_b", A, "10.77.0.100 . 40000");

            NftTable v2 = table(List.of(A, B), List.of("c_a", "c_c"), "60s", List.of("ether daddr @alive_x counter name c_c",
                    "counter name c_a"));
            String script = v2.transaction(v1);
            assertThat(script).doesNotContain("delete table").contains("flush chain netdev dlbtest dsr_x",
                    "flush set netdev dlbtest alive_x", "delete counter netdev dlbtest c_b", "add counter netdev dlbtest c_c {")
                    .doesNotContain("flush map netdev dlbtest flows_x");
            host.nft(script);
            String second = Nft.list(lab, "lb", "netdev", "dlbtest");
            assertThat(second).contains("10.77.0.100 . 40000", "counter c_a", "counter c_c", A, B).doesNotContain("c_b");

            // A kept object whose specification changes is made anew (its flows go).
            NftTable v3 = table(List.of(A), List.of("c_a"), "120s", List.of());
            host.nft(v3.transaction(v2));
            String third = Nft.list(lab, "lb", "netdev", "dlbtest");
            assertThat(third).contains("timeout 2m").doesNotContain("40000", "c_c", B);

            // The table removed behind our back: the incremental script fails, a full one works.
            lab.exec("lb", "nft", "delete", "table", "netdev", "dlbtest");
            assertThatThrownBy(() -> host.nft(v1.transaction(v3))).isInstanceOf(L4Exception.class)
                    .hasMessageContaining("nft refused the rules");
            host.nft(v1.transaction(null));
            assertThat(Nft.list(lab, "lb", "netdev", "dlbtest")).contains("counter c_b");
            host.nft(v1.removal());
            assertThat(Nft.exists(lab, "lb", "netdev", "dlbtest")).isFalse();
        }
    }

    @Test
    void theKernelAcceptsWhatTheRulesetRenders() throws Exception {
        try (Lab lab = new Lab()) {
            lab.attach("lb", "10.77.0.1/24");
            LocalHost host = Nft.host(lab, "lb");
            L4Listener dsr = L4Listener.dsr("dicom-dr", new InetSocketAddress("10.77.0.10", 104), "archive", "eth0",
                    Duration.ofMinutes(30), 20_000);
            L4Listener nat = L4Listener.nat("dicom.nat", new InetSocketAddress("10.77.0.10", 11112), "archive", true);
            PoolView.Member m1 = member("archive/a", "10.77.0.11", 104, true, true);
            PoolView.Member m2 = member("archive/b", "10.77.0.12", 104, false, true);
            PoolView.Member m3 = member("archive/c", "10.77.0.13", 104, false, false);
            Decision d1 = Decision.of(dsr, "02:00:00:00:00:01", PoolView.Balance.FLOW,
                    List.of(new Target(m1, A, ""), new Target(m2, B, ""), new Target(m3, null, "no MAC")), SlotTable.SLOTS);
            Decision d2 = Decision.of(nat, null, PoolView.Balance.SOURCE,
                    List.of(new Target(m1, null, ""), new Target(m2, null, ""), new Target(m3, null, "")), SlotTable.SLOTS);
            Ruleset.Rendered r = Ruleset.render("dlbtest", List.of(d1, d2));
            host.nftCheck(r.dsr().transaction(null));
            host.nftCheck(r.nat().transaction(null));
            host.nft(r.dsr().transaction(null));
            host.nft(r.nat().transaction(null));
            String netdev = Nft.list(lab, "lb", "netdev", "dlbtest");
            // a takes every new flow (b drains, c is down); a and b keep their flows; c has a counter only.
            assertThat(netdev).contains("hook ingress device \"eth0\"", "10.77.0.10 . 104 : goto dsr_dicom-dr",
                    "map { 0-4095 : " + A + " }", A + " : \"c_dicom-dr_archive_a\"", "counter c_dicom-dr_archive_c");
            String alive = netdev.substring(netdev.indexOf("set alive_dicom-dr"), netdev.indexOf("}", netdev.indexOf("set alive_dicom-dr")));
            assertThat(alive).as("b keeps its flows (drain)").contains(A, B);
            assertThat(netdev).contains(B + " : \"c_dicom-dr_archive_b\"");
            String ip = Nft.list(lab, "lb", "ip", "dlbtest");
            assertThat(ip).contains("dnat ip to jhash ip saddr mod 4096", "10.77.0.11 . 104", "masquerade",
                    "ct original ip daddr 10.77.0.10 ct original proto-dst 11112 goto fwd_dicom.nat",
                    "reject with tcp reset", "elements = { 10.77.0.13 . 104 }");
            assertThat(r.counters()).containsKey("c_dicom.nat_archive_b");
            assertThat(r.counters().get("c_dicom-dr_archive_a").backend()).isEqualTo("a");
        }
    }

    @Test
    void slotsAreWrittenAsRanges() {
        assertThat(Ruleset.slots(new int[] {0, 0, 1, -1, -1, 1, 0}, i -> "v" + i)).isEqualTo("0-1 : v0, 2 : v1, 5 : v1, 6 : v0");
        assertThat(Ruleset.slots(new int[] {-1, -1}, i -> "v" + i)).isEmpty();
        assertThat(Ruleset.id("a/b@1.2.3.4:104")).isEqualTo("a_b_1.2.3.4_104");
    }

    private static PoolView.Member member(String id, String ip, int port, boolean eligible, boolean alive) {
        return new PoolView.Member(id, id.substring(id.indexOf('/') + 1), new InetSocketAddress(ip, port), false, 1,
                eligible ? 1000 : 0, eligible, alive, eligible ? "" : alive ? "drain" : "health: timeout");
    }
}
