package org.dicomlb.gslb.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A nameserver of a zone, published in its NS records. One inside the zone needs its addresses
 * (they are served, and sent as glue with the NS records); one outside the zone needs none.
 */
public record Nameserver(String name, List<InetAddress> addresses) {
    public Nameserver {
        Objects.requireNonNull(name, "name");
        name = DnsNames.canonical(name);
        addresses = List.copyOf(addresses);
    }
}
