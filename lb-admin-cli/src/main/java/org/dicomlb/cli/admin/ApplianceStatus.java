package org.dicomlb.cli.admin;

import java.util.List;
import org.dicomlb.dnsproxy.DnsStatus;
import org.dicomlb.engine.EngineStatus;
import org.dicomlb.gslb.GslbStatus;
import org.dicomlb.l4.L4Status;
import org.dicomlb.vip.VipStatus;

/**
 * {@code GET /api/v1/status} and {@code dicomlb status --json}: the engine's status at the top
 * level (transport, listeners, pools, descriptors), with the version that serves it and the
 * recent transitions ({@code events}, newest first). Other modules add their own section here
 * when they run (each publishes its own status record): {@code gslb} while the GSLB answers,
 * {@code vip} when the file has a vip: section, {@code dns_backends} while pools have dns backends,
 * {@code l4} while listeners of mode dsr or nat run (each null, and left out of the JSON,
 * otherwise). The shape is documented field by field in docs/status-api.md; fields are only ever
 * added.
 *
 * @param dnsBackends every dns backend's resolution: addresses, the resolver that answered and
 *                    when, the last round and its failures
 * @param l4          the kernel listeners (dsr, nat): each real server's state, MAC and nft counters
 */
public record ApplianceStatus(String version, String transport, List<EngineStatus.ListenerStatus> listeners,
                              List<EngineStatus.PoolStatus> pools, EngineStatus.DescriptorStatus descriptors,
                              GslbStatus gslb, VipStatus vip, List<DnsStatus.Backend> dnsBackends,
                              List<RecentEvents.Event> events, L4Status l4) {
    public ApplianceStatus {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
        dnsBackends = dnsBackends == null || dnsBackends.isEmpty() ? null : List.copyOf(dnsBackends);
        events = List.copyOf(events);
        l4 = l4 == null || l4.listeners().isEmpty() ? null : l4;
    }

    public static ApplianceStatus of(String version, EngineStatus engine) {
        return of(version, engine, null, null, null, List.of(), null);
    }

    public static ApplianceStatus of(String version, EngineStatus engine, GslbStatus gslb, VipStatus vip) {
        return of(version, engine, gslb, vip, null, List.of(), null);
    }

    /**
     * @param gslb   the GSLB's status, or null when it does not run (the section is then left out)
     * @param vip    the VIP's status, or null without a vip: section
     * @param dns    the dns backends' resolutions, or null (the section is left out when it has none)
     * @param events recent transitions, newest first
     * @param l4     the kernel listeners' status, or null (left out when there are none)
     */
    public static ApplianceStatus of(String version, EngineStatus engine, GslbStatus gslb, VipStatus vip, DnsStatus dns,
                                     List<RecentEvents.Event> events, L4Status l4) {
        return new ApplianceStatus(version, engine.transport(), engine.listeners(), engine.pools(), engine.descriptors(),
                gslb, vip, dns == null ? null : dns.backends(), events, l4);
    }
}
