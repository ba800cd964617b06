package org.dicomlb.cli.admin;

import java.util.List;
import org.dicomlb.dnsproxy.DnsStatus;
import org.dicomlb.engine.EngineStatus;

/**
 * {@code GET /api/v1/status} and {@code dicomlb status --json}: the engine's status at the top
 * level (transport, listeners, pools, descriptors), with the version that serves it. Other
 * modules add their own section here when they run (each publishes its own status record).
 *
 * @param dnsBackends every dns backend's resolution: addresses, the resolver that answered and
 *                    when, the last round and its failures (empty without dns backends)
 */
public record ApplianceStatus(String version, String transport, List<EngineStatus.ListenerStatus> listeners,
                              List<EngineStatus.PoolStatus> pools, EngineStatus.DescriptorStatus descriptors,
                              List<DnsStatus.Backend> dnsBackends) {
    public ApplianceStatus {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
        dnsBackends = List.copyOf(dnsBackends);
    }

    public static ApplianceStatus of(String version, EngineStatus engine, DnsStatus dns) {
        return new ApplianceStatus(version, engine.transport(), engine.listeners(), engine.pools(),
                engine.descriptors(), dns.backends());
    }
}
