package org.dicomlb.gslb.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A zone the GSLB is authoritative for: its SOA and NS records at the apex.
 *
 * @param ttl         of the SOA, NS and nameserver address records
 * @param negativeTtl how long resolvers may cache "no such name" / "no such type" (the SOA minimum)
 * @param contact     the SOA's mailbox as a domain name, e.g. {@code hostmaster.example.org}
 */
public record ZoneConfig(String name, Duration ttl, Duration negativeTtl, String contact, List<Nameserver> nameservers) {
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);

    public ZoneConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(contact, "contact");
        name = DnsNames.canonical(name);
        contact = DnsNames.canonical(contact);
        GslbConfig.requireTtl(ttl, "ttl of zone " + name);
        GslbConfig.requireTtl(negativeTtl, "negative-ttl of zone " + name);
        nameservers = List.copyOf(nameservers);
        if (nameservers.isEmpty()) {
            throw new IllegalArgumentException("zone " + name + " needs at least one nameserver");
        }
        Set<String> seen = new HashSet<>();
        for (Nameserver ns : nameservers) {
            if (!seen.add(ns.name())) {
                throw new IllegalArgumentException("zone " + name + " lists nameserver " + ns.name() + " twice");
            }
            boolean inZone = DnsNames.within(ns.name(), name);
            if (inZone && ns.addresses().isEmpty()) {
                throw new IllegalArgumentException("nameserver " + ns.name() + " is inside zone " + name
                        + ", so it needs its addresses (they are served and sent as glue)");
            }
        }
    }

    /** The default SOA contact of a zone: {@code hostmaster.ZONE}. */
    public static String defaultContact(String zone) {
        return "hostmaster." + DnsNames.canonical(zone);
    }
}
