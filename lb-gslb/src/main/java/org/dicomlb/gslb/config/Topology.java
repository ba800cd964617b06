package org.dicomlb.gslb.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.dicomlb.config.Cidr;

/** Client subnets per datacenter, for the topology method: the longest matching prefix wins. */
public record Topology(Map<String, List<Cidr>> datacenters) {
    public static final Topology NONE = new Topology(Map.of());

    public Topology {
        Objects.requireNonNull(datacenters, "datacenters");
        Map<String, List<Cidr>> copy = new LinkedHashMap<>();
        Map<Cidr, String> owner = new LinkedHashMap<>();
        datacenters.forEach((dc, prefixes) -> {
            if (!GslbConfig.isIdentifier(dc)) {
                throw new IllegalArgumentException("datacenter name '" + dc + "' must be letters, digits, '-', '_' or '.'");
            }
            for (Cidr c : prefixes) {
                String before = owner.putIfAbsent(c, dc);
                if (before != null) {
                    throw new IllegalArgumentException("subnet " + c + " is mapped to both " + before + " and " + dc);
                }
            }
            copy.put(dc, List.copyOf(prefixes));
        });
        datacenters = java.util.Collections.unmodifiableMap(copy);
    }
}
