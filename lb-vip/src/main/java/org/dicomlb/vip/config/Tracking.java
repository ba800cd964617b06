package org.dicomlb.vip.config;

import java.util.List;

/**
 * What must work on this appliance for it to deserve the VIP: every listener named is bound and
 * every pool named has an eligible backend. When one does not, this node's VRRP priority drops by
 * {@code priorityDrop} (and a master hands the VIP over at once).
 */
public record Tracking(List<String> listeners, List<String> pools, int priorityDrop) {
    /** Drops a primary (priority 150, say) well under a healthy secondary (100). */
    public static final int DEFAULT_PRIORITY_DROP = 100;
    /** keepalived clamps the effective priority to 1..254; a bigger drop means nothing more. */
    public static final int MAX_PRIORITY_DROP = 253;

    public static final Tracking NONE = new Tracking(List.of(), List.of(), DEFAULT_PRIORITY_DROP);

    public Tracking {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
        if (priorityDrop < 1 || priorityDrop > MAX_PRIORITY_DROP) {
            throw new IllegalArgumentException("priority drop " + priorityDrop + " is out of range 1.." + MAX_PRIORITY_DROP);
        }
        if (listeners.stream().distinct().count() != listeners.size() || pools.stream().distinct().count() != pools.size()) {
            throw new IllegalArgumentException("a tracked name is listed twice");
        }
    }

    public boolean isEmpty() {
        return listeners.isEmpty() && pools.isEmpty();
    }
}
