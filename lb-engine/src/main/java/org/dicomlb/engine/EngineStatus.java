package org.dicomlb.engine;

import java.util.List;

/** A point-in-time view of the engine for the admin API and {@code dicomlb status}. */
public record EngineStatus(String transport, List<ListenerStatus> listeners, List<PoolStatus> pools) {
    public EngineStatus {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
    }

    public record ListenerStatus(String name, String bind, String mode, String pool, int connections, int maxConnections) {
    }

    public record PoolStatus(String name, String balance, boolean onBackups, int eligible, int queueLength,
                             List<BackendStatus> backends) {
        public PoolStatus {
            backends = List.copyOf(backends);
        }
    }

    /**
     * @param health       unchecked, starting, up, down, or maint (not probed while in maintenance)
     * @param healthReason why the last check failed, when it is down
     */
    public record BackendStatus(String name, String address, int weight, int effectiveWeight, boolean backup,
                                int maxConnections, int connections, boolean healthy, String health,
                                String healthReason, String adminState, boolean eligible) {
    }
}
