package org.dicomlb.vip;

import java.util.List;
import java.util.Objects;

/**
 * An immutable picture of the floating VIP on this node, for {@code dicomlb status}, the admin
 * API and {@code dicomlb vip status}.
 *
 * @param configured        whether a {@code vip:} section is applied
 * @param state             the VRRP state keepalived last reported (STOPPED when it does not run)
 * @param since             when {@code state} was entered (ISO-8601, UTC)
 * @param interfaceName     the interface the VIP lives on; null when not configured
 * @param addresses         the floating addresses with their prefix length
 * @param virtualRouterId   the VRID; 0 when not configured
 * @param priority          the configured priority; 0 when not configured
 * @param effectivePriority the priority keepalived runs with (the configured one lowered by the
 *                          track file): as keepalived last reported it, or after a reload (which a
 *                          master does not report) the configured priority plus the adjustment;
 *                          null before keepalived's first report
 * @param serving           whether every tracked listener and pool can serve (and the node is not demoted)
 * @param notServingBecause why not, one reason per tracked item that cannot serve
 * @param demoted           whether an operator demoted this node for maintenance
 * @param keepalivedPid     keepalived's process id while it runs, else null
 * @param keepalivedRestarts how many times keepalived died and was started again
 * @param lastExit          how keepalived last ended unexpectedly, null if never
 */
public record VipStatus(boolean configured, VipState state, String since, String interfaceName, List<String> addresses,
                        int virtualRouterId, int priority, Integer effectivePriority, boolean serving,
                        List<String> notServingBecause, boolean demoted, Long keepalivedPid, int keepalivedRestarts,
                        String lastExit) {
    public VipStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        addresses = List.copyOf(addresses);
        notServingBecause = List.copyOf(notServingBecause);
    }

    /** Whether this node holds the VIP now. */
    public boolean master() {
        return state == VipState.MASTER;
    }
}
