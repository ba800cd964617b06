package org.dicomlb.gslb.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code gslb:} section: where the responder listens, the zones it is authoritative for, the
 * names it answers from health, and the client subnets of each datacenter.
 */
public record GslbConfig(InetSocketAddress listen, List<ZoneConfig> zones, List<NameConfig> names, Topology topology,
                         Limits limits) {
    public static final Duration MAX_TTL = Duration.ofDays(1);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public GslbConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(limits, "limits");
        zones = List.copyOf(zones);
        names = List.copyOf(names);
        if (zones.isEmpty()) {
            throw new IllegalArgumentException("gslb needs at least one zone");
        }
        Map<String, String> zoneNames = new HashMap<>();
        for (ZoneConfig z : zones) {
            for (String other : zoneNames.keySet()) {
                if (DnsNames.within(z.name(), other) || DnsNames.within(other, z.name())) {
                    throw new IllegalArgumentException("zones " + other + " and " + z.name() + " overlap; give each name to one zone");
                }
            }
            zoneNames.put(z.name(), z.name());
        }
        Map<String, String> seen = new HashMap<>();
        for (NameConfig n : names) {
            if (seen.put(n.name(), n.name()) != null) {
                throw new IllegalArgumentException("name " + n.name() + " is defined twice");
            }
            if (zoneOf(zones, n.name()) == null) {
                throw new IllegalArgumentException("name " + n.name() + " is in none of the zones " + zoneNames.keySet());
            }
            for (MemberConfig m : n.members()) {
                if (m.datacenter().isPresent() && !topology.datacenters().containsKey(m.datacenter().get())) {
                    throw new IllegalArgumentException("member " + m.name() + " of " + n.name() + " is in datacenter '"
                            + m.datacenter().get() + "', which topology does not list");
                }
            }
        }
        for (ZoneConfig z : zones) {
            for (Nameserver ns : z.nameservers()) {
                if (seen.containsKey(ns.name())) {
                    throw new IllegalArgumentException("nameserver " + ns.name() + " is also a GSLB name; give the nameserver a name of its own");
                }
            }
        }
    }

    /** The zone that holds {@code name} (canonical), or null. */
    public ZoneConfig zoneOf(String name) {
        return zoneOf(zones, name);
    }

    private static ZoneConfig zoneOf(List<ZoneConfig> zones, String name) {
        for (ZoneConfig z : zones) {
            if (DnsNames.within(name, z.name())) {
                return z;
            }
        }
        return null;
    }

    static boolean isIdentifier(String s) {
        return IDENTIFIER.matcher(s).matches();
    }

    static void requireTtl(Duration ttl, String what) {
        Objects.requireNonNull(ttl, what);
        if (ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0 || ttl.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException(what + " must be whole seconds between 0s and 1d");
        }
    }
}
