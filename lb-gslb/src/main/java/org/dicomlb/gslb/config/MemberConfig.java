package org.dicomlb.gslb.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One answer a name can give: a site's VIP.
 *
 * @param address    answered in A records (IPv4) or AAAA records (IPv6)
 * @param datacenter the site, for the topology method
 * @param weight     share of answers for the weighted method
 */
public record MemberConfig(String name, InetAddress address, Optional<String> datacenter, int weight, MemberHealth health) {
    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1000;

    public MemberConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(datacenter, "datacenter");
        Objects.requireNonNull(health, "health");
        if (!GslbConfig.isIdentifier(name)) {
            throw new IllegalArgumentException("member name '" + name + "' must be letters, digits, '-', '_' or '.'");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("member weight must be 1.." + MAX_WEIGHT);
        }
    }

    public boolean ipv4() {
        return address instanceof Inet4Address;
    }
}
