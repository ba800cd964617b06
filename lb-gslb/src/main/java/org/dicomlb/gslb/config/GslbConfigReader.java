package org.dicomlb.gslb.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.dicomlb.config.Binds;
import org.dicomlb.config.Cidr;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Durations;
import org.dicomlb.config.Location;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.HealthCheckReader;
import org.dicomlb.healthcheck.config.TcpProbe;

/**
 * Reads the {@code gslb:} section. Every mistake is recorded at its position in the section's
 * {@link Problems} and reading carries on, so one validation run lists them all; the result is
 * null when anything was wrong. The key reference is docs/gslb.md.
 */
public final class GslbConfigReader {
    /** The port a member's default check connects to: DICOM's. */
    public static final int DEFAULT_CHECK_PORT = 104;

    private GslbConfigReader() {
    }

    /**
     * @param s         the {@code gslb} mapping
     * @param poolNames the pools this appliance defines, for members with {@code pool:}
     */
    public static GslbConfig read(Section s, Set<String> poolNames) {
        return read(s, poolNames, new Binds());
    }

    /**
     * As {@link #read(Section, Set)}, and claims the listen address in {@code binds} (the TCP side
     * of DNS must not collide with the admin or a proxy listener).
     */
    public static GslbConfig read(Section s, Set<String> poolNames, Binds binds) {
        InetSocketAddress listen = s.requiredAddress("listen");
        binds.claim(s, "listen", "the GSLB", listen);
        List<ZoneConfig> zones = new ArrayList<>();
        Map<String, Location> zoneNames = new HashMap<>();
        for (Section z : s.sections("zones", "zone")) {
            ZoneConfig zc = zone(z, zoneNames);
            if (zc != null) {
                zones.add(zc);
            }
        }
        if (s.node("zones").isEmpty()) {
            s.error("gslb needs 'zones' (at least one zone it is authoritative for, with its nameservers)");
        }
        Topology topology = topology(s);
        List<NameConfig> names = new ArrayList<>();
        Map<String, Location> nameLocations = new HashMap<>();
        for (Section n : s.sections("names", "name")) {
            NameConfig nc = name(n, zones, topology, poolNames, nameLocations);
            if (nc != null) {
                names.add(nc);
            }
        }
        Limits limits = s.section("limits").map(GslbConfigReader::limits).orElse(Limits.DEFAULT);
        for (ZoneConfig z : zones) {
            for (Nameserver ns : z.nameservers()) {
                Location at = nameLocations.get(ns.name());
                if (at != null) {
                    s.problems().add(at, "'" + ns.name() + "' is a nameserver of zone " + z.name()
                            + "; a GSLB name needs a name of its own");
                }
            }
        }
        return s.build(() -> new GslbConfig(listen, zones, names, topology == null ? Topology.NONE : topology,
                limits == null ? Limits.DEFAULT : limits));
    }

    private static ZoneConfig zone(Section z, Map<String, Location> seen) {
        String name = z.requiredString("name") == null ? null : dnsName(z, "name");
        if (name != null) {
            for (var e : seen.entrySet()) {
                if (DnsNames.within(name, e.getKey()) || DnsNames.within(e.getKey(), name)) {
                    z.error("name", "zone " + name + " overlaps zone " + e.getKey() + " (" + e.getValue() + ")");
                }
            }
            seen.put(name, z.locationOf("name"));
        }
        Duration ttl = ttl(z, "ttl", ZoneConfig.DEFAULT_TTL);
        Duration negative = ttl(z, "negative-ttl", ZoneConfig.DEFAULT_NEGATIVE_TTL);
        String contact = z.optionalString("contact").isPresent() ? dnsName(z, "contact")
                : name == null ? null : ZoneConfig.defaultContact(name);
        List<Nameserver> nameservers = z.list("nameservers", (item, p) -> nameserver(item, p, name));
        if (z.node("nameservers").isEmpty()) {
            z.error("zone " + (name == null ? "" : name + " ") + "needs 'nameservers' (the names of the NS records the "
                    + "parent zone delegates to)");
        }
        return z.build(() -> new ZoneConfig(name, ttl, negative, contact, nameservers));
    }

    private static Nameserver nameserver(ConfigNode item, Problems p, String zone) {
        if (item instanceof ConfigNode.Scalar sc && sc.kind() != ConfigNode.Scalar.Kind.NULL) {
            String ns = canonical(sc.text(), item, p);
            if (ns != null && zone != null && DnsNames.within(ns, zone)) {
                p.add(item, "nameserver " + ns + " is inside the zone, so it needs its address: write "
                        + "{ name: " + ns + ", address: IP }");
                return null;
            }
            return ns == null ? null : new Nameserver(ns, List.of());
        }
        Optional<Section> os = Section.of(item, p, "nameserver");
        if (os.isEmpty()) {
            return null;
        }
        Section s = os.get();
        String ns = s.requiredString("name") == null ? null : dnsName(s, "name");
        List<InetAddress> addresses = new ArrayList<>();
        s.parsed("address", t -> SocketAddresses.address(t.strip(), t)).ifPresent(addresses::add);
        addresses.addAll(s.parsedList("addresses", t -> SocketAddresses.address(t.strip(), t)));
        if (ns != null && zone != null && DnsNames.within(ns, zone) && addresses.isEmpty() && s.clean()) {
            s.error("nameserver " + ns + " is inside zone " + zone + ", so it needs 'address' (served, and sent as glue)");
        }
        return s.build(() -> new Nameserver(ns, addresses));
    }

    private static Topology topology(Section s) {
        Optional<ConfigNode> node = s.node("topology");
        if (node.isEmpty()) {
            return Topology.NONE;
        }
        if (!(node.get() instanceof ConfigNode.Mapping m)) {
            s.error("topology", "'topology' must map each datacenter to its client subnets, e.g. dc-a: [10.1.0.0/16]");
            return null;
        }
        Map<String, List<Cidr>> dcs = new LinkedHashMap<>();
        Map<Cidr, String> owner = new HashMap<>();
        boolean ok = true;
        for (ConfigNode.Mapping.Entry e : m.entries()) {
            if (!GslbConfig.isIdentifier(e.key())) {
                s.problems().add(e.keyLocation(), "datacenter name '" + e.key() + "' must be letters, digits, '-', '_' or '.'");
                ok = false;
                continue;
            }
            List<ConfigNode> items = e.value() instanceof ConfigNode.Sequence seq ? seq.items() : List.of(e.value());
            List<Cidr> prefixes = new ArrayList<>();
            for (ConfigNode item : items) {
                if (!(item instanceof ConfigNode.Scalar sc) || sc.kind() == ConfigNode.Scalar.Kind.NULL) {
                    s.problems().add(item, "datacenter " + e.key() + ": subnets must be plain values like 10.1.0.0/16, not "
                            + item.describe());
                    ok = false;
                    continue;
                }
                try {
                    Cidr c = Cidr.parse(sc.text());
                    String before = owner.putIfAbsent(c, e.key());
                    if (before != null) {
                        s.problems().add(item, "subnet " + c + " is already mapped to datacenter " + before);
                        ok = false;
                    }
                    prefixes.add(c);
                } catch (IllegalArgumentException ex) {
                    s.problems().add(item, "datacenter " + e.key() + ": " + ex.getMessage());
                    ok = false;
                }
            }
            dcs.put(e.key(), prefixes);
        }
        return ok ? new Topology(dcs) : null;
    }

    private static NameConfig name(Section n, List<ZoneConfig> zones, Topology topology, Set<String> pools,
                                   Map<String, Location> seen) {
        String name = n.requiredString("name") == null ? null : dnsName(n, "name");
        if (name != null) {
            Location before = seen.putIfAbsent(name, n.locationOf("name"));
            if (before != null) {
                n.error("name", "name " + name + " is already defined (" + before + ")");
            }
            if (!zones.isEmpty() && zones.stream().noneMatch(z -> DnsNames.within(name, z.name()))) {
                n.error("name", "name " + name + " is in none of the zones ("
                        + String.join(", ", zones.stream().map(ZoneConfig::name).toList()) + "); add its zone under 'zones'");
            }
        }
        Method method = n.choice("method", Method.class, Method.FAILOVER);
        Duration ttl = ttl(n, "ttl", NameConfig.DEFAULT_TTL);
        Fallback fallback = n.choice("fallback", Fallback.class, Fallback.ALL);
        Failback failback = failback(n);
        String label = name == null ? "name" : name;
        Map<String, Location> memberNames = new HashMap<>();
        List<MemberConfig> members = new ArrayList<>();
        for (Section m : n.sections("members", label + " member")) {
            MemberConfig mc = member(m, method, topology, pools, memberNames);
            if (mc != null) {
                members.add(mc);
            }
        }
        if (n.node("members").isEmpty()) {
            n.error(label + " needs 'members' (the site addresses it answers with)");
        }
        if (method == Method.TOPOLOGY && topology != null && topology.datacenters().isEmpty()) {
            n.error("method", "method topology needs a 'topology' section mapping datacenters to client subnets");
        }
        return n.build(() -> new NameConfig(name, method, ttl, failback == null ? Failback.AUTO : failback, fallback, members));
    }

    private static Failback failback(Section n) {
        Optional<ConfigNode> node = n.node("failback");
        if (node.isEmpty()) {
            return Failback.AUTO;
        }
        if (node.get() instanceof ConfigNode.Mapping) {
            return n.section("failback").map(f -> {
                Failback policy = f.parsed("policy", GslbConfigReader::policy).orElse(Failback.AUTO);
                Optional<HealthCheckConfig> gate = f.section("gate").flatMap(HealthCheckReader::read);
                if (f.node("gate").isPresent() && gate.isEmpty() && f.clean()) {
                    f.error("gate", "the failback gate is not a valid check");
                }
                return f.build(() -> new Failback(policy.mode(), policy.after(), gate));
            }).orElse(null);
        }
        return n.parsed("failback", GslbConfigReader::policy).orElse(null);
    }

    /** {@code auto}, {@code manual} or {@code after DURATION}. */
    static Failback policy(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("auto")) {
            return Failback.AUTO;
        }
        if (t.equals("manual")) {
            return new Failback(FailbackMode.MANUAL, Duration.ZERO, Optional.empty());
        }
        if (t.startsWith("after ")) {
            Duration d = Durations.parse(t.substring(6).strip());
            if (d.isZero() || d.compareTo(Failback.MAX_AFTER) > 0) {
                throw new IllegalArgumentException("'after' needs a duration between 1ms and " + Durations.format(Failback.MAX_AFTER));
            }
            return new Failback(FailbackMode.AFTER, d, Optional.empty());
        }
        throw new IllegalArgumentException("'" + text + "' is not a failback policy; write auto, manual or after DURATION (e.g. after 10m)");
    }

    private static MemberConfig member(Section m, Method method, Topology topology, Set<String> pools,
                                       Map<String, Location> seen) {
        String name = m.requiredString("name");
        if (name != null) {
            if (!GslbConfig.isIdentifier(name)) {
                m.error("name", "member name '" + name + "' must be letters, digits, '-', '_' or '.'");
            }
            Location before = seen.putIfAbsent(name, m.locationOf("name"));
            if (before != null) {
                m.error("name", "member '" + name + "' is already defined (" + before + ")");
            }
        }
        InetAddress address = null;
        if (m.node("address").isEmpty()) {
            m.error(m.what() + " needs 'address' (the site's VIP, an IP)");
        } else {
            address = m.parsed("address", t -> {
                if (t.contains(":") && !t.contains("::") && t.chars().filter(c -> c == ':').count() == 1) {
                    throw new IllegalArgumentException("'" + t + "' looks like ip:port; a member is an IP only (DNS carries no ports)");
                }
                return SocketAddresses.address(t.strip(), t);
            }).orElse(null);
        }
        Optional<String> dc = m.optionalString("datacenter");
        if (dc.isPresent() && topology != null && !topology.datacenters().containsKey(dc.get())) {
            m.error("datacenter", "datacenter '" + dc.get() + "' is not in 'topology'"
                    + (topology.datacenters().isEmpty() ? "" : " (" + String.join(", ", topology.datacenters().keySet()) + ")"));
        }
        if (method == Method.TOPOLOGY && dc.isEmpty() && m.clean()) {
            m.error(m.what() + " needs 'datacenter' (method topology answers by the client's datacenter)");
        }
        int weight = m.integer("weight", MemberConfig.DEFAULT_WEIGHT, 1, MemberConfig.MAX_WEIGHT);
        if (m.node("weight").isPresent() && method != Method.WEIGHTED) {
            m.error("weight", "'weight' applies to method weighted; this name's method is " + Section.kebab(method));
        }
        MemberHealth health = null;
        Optional<String> pool = m.optionalString("pool");
        if (pool.isPresent() && m.node("check").isPresent()) {
            m.error("pool", "give either 'check' (an active check of the member) or 'pool' (a local pool's health), not both");
        } else if (pool.isPresent()) {
            if (!pools.contains(pool.get())) {
                m.error("pool", "pool '" + pool.get() + "' is not defined"
                        + (pools.isEmpty() ? " (this configuration has no pools)" : " (pools: " + String.join(", ", new TreeSet<>(pools)) + ")"));
            } else {
                health = new MemberHealth.Pool(pool.get());
            }
        } else {
            Optional<HealthCheckConfig> check = m.node("check").isEmpty()
                    ? Optional.of(HealthCheckConfig.defaults(new TcpProbe()))
                    : m.section("check").flatMap(HealthCheckReader::read);
            health = check.map(MemberHealth.Check::new).orElse(null);
        }
        InetAddress a = address;
        MemberHealth h = health;
        return m.build(() -> new MemberConfig(name, a, dc, weight, h));
    }

    private static Limits limits(Section s) {
        RateLimit rl = s.section("rate-limit").map(GslbConfigReader::rateLimit).orElse(RateLimit.DEFAULT);
        int tcp = s.integer("tcp-connections", Limits.DEFAULT_TCP_CONNECTIONS, 1, 100_000);
        Duration idle = s.duration("tcp-idle", Limits.DEFAULT_TCP_IDLE, Duration.ofMillis(100), Duration.ofHours(1));
        int udp = s.integer("udp-payload", Limits.DEFAULT_UDP_PAYLOAD, 512, 4096);
        return s.build(() -> new Limits(rl == null ? RateLimit.DEFAULT : rl, tcp, idle, udp));
    }

    private static RateLimit rateLimit(Section s) {
        RateLimit d = RateLimit.DEFAULT;
        int rps = s.integer("responses-per-second", d.responsesPerSecond(), 0, 10_000_000);
        int burst = s.integer("burst", Math.max(1, rps * 2), 1, 100_000_000);
        int slip = s.integer("slip", d.slip(), 0, 10);
        int v4 = s.integer("ipv4-prefix", d.ipv4Prefix(), 8, 32);
        int v6 = s.integer("ipv6-prefix", d.ipv6Prefix(), 16, 128);
        return s.build(() -> new RateLimit(rps, burst, slip, v4, v6));
    }

    /** A TTL: whole seconds as DNS writes them ({@code 5}) or a duration ({@code 5s}, {@code 5m}). */
    private static Duration ttl(Section s, String key, Duration defaultValue) {
        return s.parsed(key, t -> {
            String text = t.strip();
            Duration d;
            if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
                if (text.length() > 6) {
                    throw new IllegalArgumentException("'" + t + "' is more than a day");
                }
                d = Duration.ofSeconds(Long.parseLong(text));
            } else {
                d = Durations.parse(text);
            }
            if (d.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("a TTL is whole seconds, not " + Durations.format(d));
            }
            if (d.compareTo(GslbConfig.MAX_TTL) > 0) {
                throw new IllegalArgumentException("a TTL may be at most 1d (86400)");
            }
            return d;
        }).orElse(defaultValue);
    }

    private static String dnsName(Section s, String key) {
        return s.parsed(key, DnsNames::canonical).orElse(null);
    }

    private static String canonical(String text, ConfigNode at, Problems p) {
        try {
            return DnsNames.canonical(text);
        } catch (IllegalArgumentException e) {
            p.add(at, e.getMessage());
            return null;
        }
    }
}
