package org.dicomlb.l4.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.dicomlb.l4.PoolView;
import org.dicomlb.l4.config.L4Listener;
import org.junit.jupiter.api.Test;

/**
 * What a kernel listener does with each pool member: the states status shows, who takes new
 * flows (weights, slow start, backups, balance first) and where flows of unknown origin go.
 */
class DecisionTest {
    private static final L4Listener LISTENER = L4Listener.dsr("bulk", new InetSocketAddress("192.0.2.10", 104), "archive",
            "eth0", Duration.ofMinutes(30), 1000);
    private static final int SLOTS = SlotTable.SLOTS;

    private static PoolView.Member member(String name, boolean backup, int weight, long now, boolean eligible,
                                          boolean alive, String condition) {
        return new PoolView.Member("archive/" + name, name, new InetSocketAddress("192.0.2." + (20 + name.charAt(1) - '0'), 104),
                backup, weight, now, eligible, alive, condition);
    }

    private static Target target(PoolView.Member m) {
        return new Target(m, "02:00:00:00:00:0" + m.backend().charAt(1), "");
    }

    private static Decision decide(PoolView.Balance balance, PoolView.Member... members) {
        return Decision.of(LISTENER, "02:00:00:00:00:99", balance, java.util.Arrays.stream(members).map(DecisionTest::target)
                .toList(), SLOTS);
    }

    private static int count(int[] owners, int index) {
        int n = 0;
        for (int o : owners) {
            n += o == index ? 1 : 0;
        }
        return n;
    }

    @Test
    void weightsShareTheNewFlowsAndADrainedMemberKeepsItsFlowsButTakesNoNewOnes() {
        Decision d = decide(PoolView.Balance.FLOW, member("a1", false, 3, 3, true, true, ""),
                member("a2", false, 1, 1, true, true, ""), member("a3", false, 1, 0, false, true, "drain"));
        assertThat(d.states()).containsExactly("forwarding", "forwarding", "draining");
        assertThat(d.reasons().get(2)).isEqualTo("drain");
        int[] slots = d.newFlowSlots();
        assertThat(slots[2]).isZero();
        // 3:1 within a few percent of 4096 slots.
        assertThat((double) slots[0] / slots[1]).isBetween(2.6, 3.4);
        // A flow the appliance did not see begin may still be the drained one's: the fallback table keeps its share.
        assertThat(count(d.fallback(), 2)).isGreaterThan(SLOTS / 10);
        assertThat(d.serving()).isTrue();
    }

    @Test
    void aMemberThatIsDownLeavesBothTablesAndOnlyItsOwnSlotsMove() {
        PoolView.Member a1 = member("a1", false, 1, 1, true, true, "");
        PoolView.Member a2 = member("a2", false, 1, 1, true, true, "");
        PoolView.Member a3 = member("a3", false, 1, 1, true, true, "");
        Decision before = decide(PoolView.Balance.FLOW, a1, a2, a3);
        Decision after = decide(PoolView.Balance.FLOW, a1, a2, member("a3", false, 1, 1, false, false, "health: connect refused"));
        assertThat(after.states()).containsExactly("forwarding", "forwarding", "down");
        assertThat(after.reasons().get(2)).isEqualTo("health: connect refused");
        assertThat(count(after.newFlows(), 2)).isZero();
        assertThat(count(after.fallback(), 2)).isZero();
        for (int s = 0; s < SLOTS; s++) {
            if (before.newFlows()[s] != 2) {
                assertThat(after.newFlows()[s]).as("slot " + s + " did not belong to a3").isEqualTo(before.newFlows()[s]);
            }
        }
    }

    @Test
    void slowStartBackupsAndBalanceFirstAreStandby() {
        // Slow start: a weight ramping up from nearly nothing wins no slot of 4096 yet, but keeps the
        // flows it has (the fallback table counts it at its full weight).
        Decision ramping = decide(PoolView.Balance.FLOW, member("a1", false, 1000, 1_000_000_000L, true, true, ""),
                member("a2", false, 1000, 1, true, true, ""));
        assertThat(ramping.states()).containsExactly("forwarding", "standby");
        assertThat(ramping.reasons().get(1)).startsWith("slow start");
        assertThat(count(ramping.fallback(), 1)).isGreaterThan(SLOTS / 4);

        // Backups take new flows only when no primary can.
        Decision withPrimary = decide(PoolView.Balance.FLOW, member("a1", false, 1, 1, true, true, ""),
                member("a2", true, 1, 1, true, true, ""));
        assertThat(withPrimary.states()).containsExactly("forwarding", "standby");
        Decision primaryDown = decide(PoolView.Balance.FLOW, member("a1", false, 1, 1, false, false, "health: down"),
                member("a2", true, 1, 1, true, true, ""));
        assertThat(primaryDown.states()).containsExactly("down", "forwarding");
        assertThat(primaryDown.newFlowSlots()[1]).isEqualTo(SLOTS);

        // balance: first: every new flow to the first that can take one.
        Decision first = decide(PoolView.Balance.FIRST, member("a1", false, 1, 1, true, true, ""),
                member("a2", false, 1, 1, true, true, ""));
        assertThat(first.states()).containsExactly("forwarding", "standby");
        assertThat(first.newFlowSlots()[0]).isEqualTo(SLOTS);
    }

    @Test
    void withNobodyTakingNewFlowsTheListenerDoesNotServe() {
        Decision d = decide(PoolView.Balance.FLOW, member("a1", false, 1, 0, false, true, "maint"));
        assertThat(d.states()).containsExactly("draining");
        assertThat(d.serving()).isFalse();
        assertThat(d.newFlowSlots()[0]).isZero();
    }

    @Test
    void aMemberTheKernelCannotReachIsDownWithItsProblem() {
        PoolView.Member m = member("a1", false, 1, 1, true, true, "");
        Decision d = Decision.of(LISTENER, "02:00:00:00:00:99", PoolView.Balance.FLOW,
                List.of(new Target(m, null, "no MAC address for 192.0.2.21 on eth0 (ARP unanswered)")), SLOTS);
        assertThat(d.states()).containsExactly("down");
        assertThat(d.reasons()).containsExactly("no MAC address for 192.0.2.21 on eth0 (ARP unanswered)");
        assertThat(d.serving()).isFalse();
    }
}
