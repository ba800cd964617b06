package org.dicomlb.gslb.dns;

import io.micrometer.core.instrument.Counter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.dicomlb.gslb.config.Limits;
import org.dicomlb.gslb.config.NameConfig;
import org.dicomlb.gslb.select.Candidate;
import org.dicomlb.gslb.select.SubnetMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * Everything the responder answers from, as one immutable value: the zones' fixed records, the
 * GSLB names with their members' current state, the topology table and the limits. The control
 * thread builds a new one on every change and publishes it atomically; event loops read it
 * without locks. {@link #withMembers} shares the fixed part, so a health change rebuilds only
 * the member lists.
 */
public final class ZoneView {
    /** A zone's apex records; {@code negativeSoa} carries the negative-caching TTL (RFC 2308). */
    public record Zone(Name apex, SOARecord soa, SOARecord negativeSoa, List<NSRecord> ns, List<Record> glue) {
        public Zone {
            Objects.requireNonNull(apex, "apex");
            ns = List.copyOf(ns);
            glue = List.copyOf(glue);
        }
    }

    /**
     * A GSLB name: its config, the answer record and the answers counter of each member (by
     * member name), and its members of each family in configured order with their state now.
     */
    public record GslbName(Name name, NameConfig config, Map<String, Record> records, Map<String, Counter> answers,
                           List<Candidate> ipv4, List<Candidate> ipv6) {
        public GslbName {
            records = Map.copyOf(records);
            answers = Map.copyOf(answers);
            ipv4 = List.copyOf(ipv4);
            ipv6 = List.copyOf(ipv6);
        }
    }

    private final List<Zone> zones;
    private final Map<Name, GslbName> names;
    /** Address records of nameservers inside our zones. */
    private final Map<Name, List<Record>> hosts;
    /** Every name that exists in a zone, including empty non-terminals (which answer NODATA, not NXDOMAIN). */
    private final Set<Name> existing;
    private final SubnetMap subnets;
    private final Limits limits;
    /** Responses to plain queries built from this view; a new view starts with an empty one. */
    private final AnswerCache cache = new AnswerCache();

    public ZoneView(List<Zone> zones, Map<Name, GslbName> names, Map<Name, List<Record>> hosts, SubnetMap subnets,
                    Limits limits) {
        this.zones = List.copyOf(zones);
        this.names = Map.copyOf(names);
        this.hosts = Map.copyOf(hosts);
        this.subnets = Objects.requireNonNull(subnets, "subnets");
        this.limits = Objects.requireNonNull(limits, "limits");
        Set<Name> all = new HashSet<>();
        for (Zone z : this.zones) {
            all.add(z.apex());
            for (Name n : this.names.keySet()) {
                addWithAncestors(all, n, z.apex());
            }
            for (Name n : this.hosts.keySet()) {
                addWithAncestors(all, n, z.apex());
            }
        }
        this.existing = Set.copyOf(all);
    }

    private ZoneView(ZoneView base, Map<Name, GslbName> names) {
        this.zones = base.zones;
        this.hosts = base.hosts;
        this.existing = base.existing;
        this.subnets = base.subnets;
        this.limits = base.limits;
        this.names = Map.copyOf(names);
    }

    /** An empty view: every query is REFUSED (nothing is ours yet). */
    public static ZoneView empty() {
        return new ZoneView(List.of(), Map.of(), Map.of(), SubnetMap.EMPTY, Limits.DEFAULT);
    }

    /** The same zones with the names' member lists replaced. */
    public ZoneView withMembers(Map<Name, GslbName> newNames) {
        return new ZoneView(this, newNames);
    }

    private static void addWithAncestors(Set<Name> out, Name n, Name apex) {
        if (!n.subdomain(apex)) {
            return;
        }
        Name cur = n;
        while (!cur.equals(apex)) {
            out.add(cur);
            cur = new Name(cur, 1);
        }
    }

    /** The zone {@code qname} lies in, or null. */
    public Zone zoneOf(Name qname) {
        for (Zone z : zones) {
            if (qname.subdomain(z.apex())) {
                return z;
            }
        }
        return null;
    }

    public GslbName name(Name qname) {
        return names.get(qname);
    }

    public Map<Name, GslbName> names() {
        return names;
    }

    public List<Record> host(Name qname) {
        return hosts.get(qname);
    }

    public boolean exists(Name qname) {
        return existing.contains(qname);
    }

    public SubnetMap subnets() {
        return subnets;
    }

    AnswerCache cache() {
        return cache;
    }

    public Limits limits() {
        return limits;
    }

    public List<Zone> zones() {
        return zones;
    }

    /** Copy-friendly: the names map for {@link #withMembers}. */
    public Map<Name, GslbName> namesCopy() {
        return new HashMap<>(names);
    }
}
