package org.dicomlb.cli.admin;

import java.util.List;
import org.dicomlb.engine.EngineStatus;

/**
 * {@code GET /api/v1/status} and {@code dicomlb status --json}: the engine's status at the top
 * level (transport, listeners, pools, descriptors), with the version that serves it. Other
 * modules add their own section here when they run (each publishes its own status record).
 */
public record ApplianceStatus(String version, String transport, List<EngineStatus.ListenerStatus> listeners,
                              List<EngineStatus.PoolStatus> pools, EngineStatus.DescriptorStatus descriptors) {
    public ApplianceStatus {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
    }

    public static ApplianceStatus of(String version, EngineStatus engine) {
        return new ApplianceStatus(version, engine.transport(), engine.listeners(), engine.pools(), engine.descriptors());
    }
}
