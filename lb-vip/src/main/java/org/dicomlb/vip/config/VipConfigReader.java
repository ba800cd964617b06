package org.dicomlb.vip.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Durations;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.SocketAddresses;

/**
 * Reads the {@code vip:} section. Every mistake is recorded at its position in the section's
 * {@link Problems} and reading carries on, so one validation run lists them all; the result is
 * null when there was any. The composition root calls it with the names of the pools and
 * listeners the rest of the file defines, so a tracked name that does not exist is a located
 * error rather than a node that can never serve.
 */
public final class VipConfigReader {
    private VipConfigReader() {
    }

    /**
     * @param s         the {@code vip} mapping
     * @param pools     the pool names the configuration defines
     * @param listeners the listener names the configuration defines
     * @return the configuration, or null when the section had a problem (all of them recorded)
     */
    public static VipConfig read(Section s, Set<String> pools, Set<String> listeners) {
        String iface = s.parsed("interface", VipConfig::requireInterfaceName).orElse(null);
        if (!s.has("interface")) {
            s.error(s.what() + " needs 'interface' (where the VIP lives, e.g. eth0)");
        }
        List<VipAddress> addresses = s.parsedList("addresses", VipAddress::parse);
        if (!s.has("addresses")) {
            s.error(s.what() + " needs 'addresses' (the floating addresses, e.g. [192.0.2.10/24])");
        } else if (s.node("addresses").isPresent() && addresses.isEmpty() && s.clean()) {
            s.error("addresses", "'addresses' must list at least one address, e.g. [192.0.2.10/24]");
        } else if (addresses.size() > VipConfig.MAX_ADDRESSES) {
            s.error("addresses", "'addresses' lists " + addresses.size() + " addresses; at most " + VipConfig.MAX_ADDRESSES);
        }
        duplicates(s, "addresses", addresses.stream().map(VipAddress::address).toList());

        Integer vrid = s.optionalInteger("virtual-router-id", 1, 255).orElse(null);
        if (!s.has("virtual-router-id")) {
            s.error(s.what() + " needs 'virtual-router-id' (1..255, the same on both nodes of the pair)");
        }
        int priority = s.integer("priority", VipConfig.DEFAULT_PRIORITY, 1, VipConfig.MAX_PRIORITY);
        Duration advert = s.optionalDuration("advert-interval", VipConfig.MIN_ADVERT_INTERVAL, VipConfig.MAX_ADVERT_INTERVAL)
                .filter(d -> {
                    if (d.toMillis() % 10 != 0) {
                        s.error("advert-interval", "'advert-interval' must be a multiple of 10ms (VRRPv3 counts centiseconds), not "
                                + Durations.format(d));
                        return false;
                    }
                    return true;
                }).orElse(VipConfig.DEFAULT_ADVERT_INTERVAL);

        boolean preempt = s.bool("preempt", false);
        Duration preemptDelay = s.optionalDuration("preempt-delay", Duration.ZERO, Preemption.MAX_DELAY).orElse(Duration.ZERO);
        if (s.node("preempt-delay").isPresent() && !preempt) {
            s.error("preempt-delay", "'preempt-delay' applies only with 'preempt: true'");
        }

        List<Inet4Address> peers = s.parsedList("unicast-peers", VipConfigReader::ipv4);
        if (peers.size() > VipConfig.MAX_UNICAST_PEERS) {
            s.error("unicast-peers", "'unicast-peers' lists " + peers.size() + " peers; at most " + VipConfig.MAX_UNICAST_PEERS);
        }
        duplicates(s, "unicast-peers", peers);
        Optional<Inet4Address> source = s.parsed("unicast-source", VipConfigReader::ipv4);
        if (source.isPresent() && s.node("unicast-peers").isEmpty()) {
            s.error("unicast-source", "'unicast-source' applies only with 'unicast-peers'");
        }
        Set<InetAddress> floating = new HashSet<>(addresses.stream().map(VipAddress::address).toList());
        for (Inet4Address p : peers) {
            if (floating.contains(p)) {
                s.error("unicast-peers", "unicast peer " + p.getHostAddress() + " is one of the floating addresses; "
                        + "give the peer's own address");
            }
        }
        source.filter(floating::contains).ifPresent(a -> s.error("unicast-source", "unicast source "
                + a.getHostAddress() + " is one of the floating addresses; give this node's own address"));

        Tracking tracking = s.section("track").map(t -> tracking(t, pools, listeners)).orElse(Tracking.NONE);

        Integer id = vrid;
        return s.build(() -> new VipConfig(iface, addresses, id, priority, advert, new Preemption(preempt, preemptDelay),
                peers, source, tracking));
    }

    private static Tracking tracking(Section t, Set<String> pools, Set<String> listeners) {
        List<String> trackedListeners = names(t, "listeners", "listener", listeners);
        List<String> trackedPools = names(t, "pools", "pool", pools);
        int drop = t.integer("priority-drop", Tracking.DEFAULT_PRIORITY_DROP, 1, Tracking.MAX_PRIORITY_DROP);
        Tracking built = t.build(() -> new Tracking(trackedListeners, trackedPools, drop));
        return built == null ? Tracking.NONE : built;
    }

    /** Names in a list, each checked against what the configuration defines; errors at the item. */
    private static List<String> names(Section t, String key, String kind, Set<String> defined) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        t.list(key, (ConfigNode item, Problems p) -> {
            if (!(item instanceof ConfigNode.Scalar sc) || sc.kind() == ConfigNode.Scalar.Kind.NULL) {
                p.add(item, "'" + key + "' items must be " + kind + " names, not " + item.describe());
                return null;
            }
            String name = sc.text();
            if (!defined.contains(name)) {
                p.add(item, "tracks " + kind + " '" + name + "', which is not defined"
                        + (defined.isEmpty() ? "" : "; defined: " + String.join(", ", new TreeSet<>(defined))));
                return null;
            }
            if (!seen.add(name)) {
                p.add(item, kind + " '" + name + "' is tracked twice");
                return null;
            }
            out.add(name);
            return name;
        });
        return out;
    }

    private static <T> void duplicates(Section s, String key, List<T> values) {
        Set<T> seen = new HashSet<>();
        for (T v : values) {
            if (!seen.add(v)) {
                s.error(key, "'" + key + "' lists " + (v instanceof InetAddress a ? a.getHostAddress() : v) + " twice");
            }
        }
    }

    private static Inet4Address ipv4(String text) {
        InetAddress a = SocketAddresses.address(text.strip(), text);
        if (!(a instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("'" + text + "' is an IPv6 address; VRRP here runs over IPv4");
        }
        return v4;
    }
}
