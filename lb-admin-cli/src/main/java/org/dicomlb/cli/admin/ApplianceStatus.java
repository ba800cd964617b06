package org.dicomlb.cli.admin;

import java.util.List;
import org.dicomlb.engine.EngineStatus;
import org.dicomlb.vip.VipStatus;

/**
 * {@code GET /api/v1/status} and {@code dicomlb status --json}: the engine's status at the top
 * level (transport, listeners, pools, descriptors), with the version that serves it. Other
 * modules add their own section here when they run (each publishes its own status record):
 * {@code vip} when the file has a vip: section (null, and left out of the JSON, otherwise).
 */
public record ApplianceStatus(String version, String transport, List<EngineStatus.ListenerStatus> listeners,
                              List<EngineStatus.PoolStatus> pools, EngineStatus.DescriptorStatus descriptors,
                              VipStatus vip) {
    public ApplianceStatus {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
    }

    public static ApplianceStatus of(String version, EngineStatus engine, VipStatus vip) {
        return new ApplianceStatus(version, engine.transport(), engine.listeners(), engine.pools(), engine.descriptors(),
                vip);
    }
}
