package org.dicomlb.l4.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.dicomlb.l4.PoolView;
import org.dicomlb.l4.config.L4Listener;

/**
 * What one kernel listener does with its pool now: which members take new flows (the slot table
 * for SYNs), which flows of unknown origin go where (the fallback table: flows this appliance did
 * not see begin, after a takeover or a restart, and flows whose real server went down), and each
 * member's state as status shows it.
 *
 * @param ownMac        the appliance's MAC on the listener's interface (DSR), null for NAT
 * @param newFlows      per slot, the index in {@code targets} of the member a new flow goes to; -1 none
 * @param fallback      per slot, the member a flow with no (live) entry in the flow table goes to
 * @param states        per target: forwarding, draining, standby or down
 * @param reasons       per target: why it does not take new flows, empty when it does
 */
public record Decision(L4Listener listener, String ownMac, PoolView.Balance balance, List<Target> targets, int[] newFlows, int[] fallback,
                       List<String> states, List<String> reasons) {
    public static final String FORWARDING = "forwarding";
    public static final String DRAINING = "draining";
    public static final String STANDBY = "standby";
    public static final String DOWN = "down";

    public Decision {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(balance, "balance");
        targets = List.copyOf(targets);
        states = List.copyOf(states);
        reasons = List.copyOf(reasons);
    }

    /**
     * Decides with the given slot count. New flows: members that take them (healthy, ready, with
     * weight) and that the kernel can reach, primaries first, backups only when no primary can;
     * weighted by their weight now (slow start). Fallback: every member still alive and reachable,
     * in the same tiers, at its full weight (at least 1), so a flow keeps the real server a SYN
     * would have reached before a drain or a ramp began.
     */
    public static Decision of(L4Listener listener, String ownMac, PoolView.Balance balance, List<Target> targets, int slots) {
        List<SlotTable.Candidate> fresh = tier(targets, true);
        List<SlotTable.Candidate> known = tier(targets, false);
        int[] newFlows = balance == PoolView.Balance.FIRST ? SlotTable.first(fresh, slots) : SlotTable.fill(fresh, slots);
        int[] fallback = balance == PoolView.Balance.FIRST ? SlotTable.first(known, slots) : SlotTable.fill(known, slots);
        int[] owned = new int[targets.size()];
        for (int o : newFlows) {
            if (o >= 0) {
                owned[o]++;
            }
        }
        List<String> states = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            PoolView.Member m = t.member();
            if (!t.usable()) {
                states.add(DOWN);
                reasons.add(t.problem());
            } else if (!m.alive()) {
                states.add(DOWN);
                reasons.add(m.condition().isEmpty() ? "health: down" : m.condition());
            } else if (owned[i] > 0) {
                states.add(FORWARDING);
                reasons.add("");
            } else if (takes(t)) {
                states.add(STANDBY);
                reasons.add(m.backup() ? "backup: primaries take new flows"
                        : balance == PoolView.Balance.FIRST ? "balance first: an earlier backend takes new flows"
                        : "slow start: its weight is still below one slot");
            } else {
                states.add(DRAINING);
                reasons.add(m.condition().isEmpty() ? "takes no new flows" : m.condition());
            }
        }
        return new Decision(listener, ownMac, balance, targets, newFlows, fallback, states, reasons);
    }

    private static boolean takes(Target t) {
        return t.usable() && t.member().alive() && t.member().eligible() && t.member().newFlowWeight() > 0;
    }

    /** Candidates in target order (weight 0 where a member does not qualify), primaries or else backups. */
    private static List<SlotTable.Candidate> tier(List<Target> targets, boolean newFlows) {
        for (boolean backups : new boolean[] {false, true}) {
            List<SlotTable.Candidate> c = new ArrayList<>();
            boolean any = false;
            for (Target t : targets) {
                PoolView.Member m = t.member();
                long w = 0;
                if (m.backup() == backups && t.usable()) {
                    if (newFlows) {
                        w = takes(t) ? m.newFlowWeight() : 0;
                    } else {
                        w = m.alive() ? Math.max(1, m.weight()) : 0;
                    }
                }
                any |= w > 0;
                c.add(new SlotTable.Candidate(m.id(), w));
            }
            if (any) {
                return c;
            }
        }
        return targets.stream().map(t -> new SlotTable.Candidate(t.member().id(), 0)).toList();
    }

    /** How many slots of the new-flow table each target holds. */
    public int[] newFlowSlots() {
        int[] n = new int[targets.size()];
        for (int o : newFlows) {
            if (o >= 0) {
                n[o]++;
            }
        }
        return n;
    }

    /** True when some member takes new flows. */
    public boolean serving() {
        for (int o : newFlows) {
            if (o >= 0) {
                return true;
            }
        }
        return false;
    }
}
