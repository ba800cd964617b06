package org.dicomlb.gslb.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** One DNS name the GSLB answers from its members' health, e.g. {@code dicom.example.org}. */
public record NameConfig(String name, Method method, Duration ttl, Failback failback, Fallback fallback,
                         List<MemberConfig> members) {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

    public NameConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(failback, "failback");
        Objects.requireNonNull(fallback, "fallback");
        name = DnsNames.canonical(name);
        GslbConfig.requireTtl(ttl, "ttl of " + name);
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("name " + name + " needs at least one member");
        }
        Set<String> seen = new HashSet<>();
        for (MemberConfig m : members) {
            if (!seen.add(m.name())) {
                throw new IllegalArgumentException("name " + name + " has two members called '" + m.name() + "'");
            }
        }
    }
}
