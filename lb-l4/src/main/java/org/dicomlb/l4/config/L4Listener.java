package org.dicomlb.l4.config;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One listener served by the kernel: packets for {@code vip}:port (TCP) go to the members of
 * {@code pool} without passing through dicomlb.
 *
 * @param kind        {@link Kind#DSR}: the frame is forwarded to the chosen real server with its
 *                    destination MAC rewritten (the real server has the VIP on its loopback and
 *                    answers the client itself); {@link Kind#NAT}: destination NAT with conntrack
 * @param iface       the interface the VIP's packets arrive on (DSR: the ingress hook and the
 *                    interface frames leave by, on the real servers' segment); empty for NAT
 * @param masquerade  NAT only: rewrite the source to the appliance's own address on the way to the
 *                    real server, so replies come back through the appliance without routing; off,
 *                    real servers see the client's address and must route replies via the appliance
 * @param flowTimeout DSR: how long a flow with no packet keeps its real server in the flow table
 * @param maxFlows    DSR: the size of the flow table; flows beyond it follow the hash alone
 */
public record L4Listener(String name, Kind kind, InetSocketAddress vip, String pool, Optional<String> iface,
                         boolean masquerade, Duration flowTimeout, int maxFlows) {
    /** The modes the kernel serves. */
    public enum Kind {
        DSR, NAT;

        /** As configuration files and status spell it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    /** Linux interface names: up to 15 octets, no '/', ':' or whitespace. */
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");
    public static final int MAX_FLOWS = 10_000_000;

    public L4Listener {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("listener name '" + name + "' must be 1-63 letters, digits, '_', '.' or '-'");
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(vip, "vip");
        if (vip.isUnresolved() || !(vip.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("listener '" + name + "': " + kind.label() + " serves IPv4 addresses only, not " + vip);
        }
        if (vip.getPort() == 0) {
            throw new IllegalArgumentException("listener '" + name + "': a port is needed");
        }
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(iface, "iface");
        if (kind == Kind.DSR && iface.isEmpty()) {
            throw new IllegalArgumentException("listener '" + name + "': dsr needs the interface of the real servers' segment");
        }
        iface.ifPresent(i -> {
            if (!IFACE.matcher(i).matches()) {
                throw new IllegalArgumentException("listener '" + name + "': '" + i + "' is not an interface name");
            }
        });
        if (kind == Kind.DSR && masquerade) {
            throw new IllegalArgumentException("listener '" + name + "': dsr never rewrites the source address");
        }
        Objects.requireNonNull(flowTimeout, "flowTimeout");
        if (flowTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("listener '" + name + "': the flow timeout must be at least 1s");
        }
        if (maxFlows < 1 || maxFlows > MAX_FLOWS) {
            throw new IllegalArgumentException("listener '" + name + "': the flow table holds 1.." + MAX_FLOWS + " flows");
        }
    }

    public static L4Listener dsr(String name, InetSocketAddress vip, String pool, String iface, Duration flowTimeout,
                                 int maxFlows) {
        return new L4Listener(name, Kind.DSR, vip, pool, Optional.of(iface), false, flowTimeout, maxFlows);
    }

    public static L4Listener nat(String name, InetSocketAddress vip, String pool, boolean masquerade) {
        return new L4Listener(name, Kind.NAT, vip, pool, Optional.empty(), masquerade, Duration.ofMinutes(30), 65_536);
    }
}
