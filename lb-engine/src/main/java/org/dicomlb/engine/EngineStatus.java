package org.dicomlb.engine;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.dicomlb.engine.config.BackendAddress;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.EndpointHealth;

/**
 * A point-in-time view of the engine for the admin API and {@code dicomlb status}.
 *
 * @param descriptors what the open-files limit allows; null where the platform cannot say
 */
public record EngineStatus(String transport, List<ListenerStatus> listeners, List<PoolStatus> pools,
                           DescriptorStatus descriptors) {
    public EngineStatus {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
    }

    /**
     * @param maxConnections as configured
     * @param limit          in force now: lower than {@code maxConnections} when the open-files
     *                       limit cannot carry every listener's maximum
     */
    public record ListenerStatus(String name, String bind, String mode, String pool, int connections, int maxConnections,
                                 int limit) {
    }

    /** @param connections relayed connections the descriptors carry (two each), over all listeners */
    public record DescriptorStatus(long limit, int connections) {
    }

    public record PoolStatus(String name, String balance, boolean onBackups, int eligible, int queueLength,
                             List<BackendStatus> backends) {
        public PoolStatus {
            backends = List.copyOf(backends);
        }
    }

    /**
     * One backend, over all its endpoints. {@code address}, {@code health} and
     * {@code healthReason} are its first endpoint's (the only one of a backend with a fixed
     * address); {@code endpoints} lists each.
     *
     * @param health       unchecked, paused (in maintenance), starting, up or down; none without an address
     * @param healthReason why the last check failed, when it is down
     * @param dns          for a dns backend, the name it resolves ({@code NAME:port}); null for a fixed address
     * @param addressSource where its addresses came from: "config", or the resolver that answered
     * @param addressAt    when they were learned (ISO-8601): the answer in use; null before any
     * @param addressProblem why it has no address (or may be stale), empty when all is well
     */
    public record BackendStatus(String name, String address, int weight, int effectiveWeight, boolean backup,
                                int maxConnections, int connections, boolean healthy, String health,
                                String healthReason, String adminState, boolean eligible, String dns,
                                String addressSource, String addressAt, String addressProblem,
                                List<EndpointStatus> endpoints) {
        public BackendStatus {
            endpoints = List.copyOf(endpoints);
        }
    }

    public record EndpointStatus(String id, String address, String health, String healthReason, int connections,
                                 boolean eligible) {
    }

    /** {@code addresses}: the backend's, as its address source reports them now. */
    static BackendStatus backend(Backend b, Backend.Addresses addresses) {
        List<EndpointStatus> es = b.endpoints().stream().map(e -> new EndpointStatus(e.id(),
                e.addressText(), e.health().state().label(), e.health().reason(), e.active(),
                e.eligible())).toList();
        Endpoint first = b.endpoints().isEmpty() ? null : b.endpoints().getFirst();
        EndpointHealth h = first == null ? null : first.health();
        return new BackendStatus(b.name(), first == null ? "-" : first.addressText(),
                b.config().weight(), b.effectiveWeight(), b.config().backup(), b.config().maxConnections(), b.active(),
                h != null && h.serving(), h == null ? "none" : h.state().label(), h == null ? "" : h.reason(),
                b.adminState().name().toLowerCase(java.util.Locale.ROOT), b.eligible(),
                b.config().address() instanceof BackendAddress.Dns d ? d.describe() : null, addresses.source(),
                addresses.at().equals(Instant.EPOCH) ? null : addresses.at().truncatedTo(ChronoUnit.MILLIS).toString(),
                addresses.problem(), es);
    }
}
