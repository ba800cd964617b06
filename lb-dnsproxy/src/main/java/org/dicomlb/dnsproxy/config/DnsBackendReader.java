package org.dicomlb.dnsproxy.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Durations;
import org.dicomlb.config.Section;
import org.dicomlb.config.SocketAddresses;

/**
 * Reads the keys of a {@code dns} backend from the backend's section: {@code dns}, {@code port},
 * {@code resolvers}, {@code resolve-interval}, {@code resolve-timeout}, {@code resolve-fall},
 * {@code family}, {@code addresses}, {@code on-change}. The engine's backend reader calls it when
 * the backend has {@code dns:} and reads the keys every backend has ({@code name}, {@code weight},
 * {@code backup}, {@code max-connections}, {@code called-ae}) itself.
 *
 * <p>Every problem is recorded at its position in the section's {@link org.dicomlb.config.Problems}
 * and reading carries on. The reader marks its keys as known but does not call
 * {@link Section#finish()}: the caller does, after reading its own keys.
 */
public final class DnsBackendReader {
    /** The keys this reader reads, for the engine's "is it a dns backend" and conflict messages. */
    public static final List<String> KEYS = List.of("dns", "port", "resolvers", "resolve-interval", "resolve-timeout",
            "resolve-fall", "family", "addresses", "on-change");

    private DnsBackendReader() {
    }

    /** Reads with the system's resolvers from {@code /etc/resolv.conf} as the default. */
    public static Optional<DnsBackendConfig> read(Section s) {
        return read(s, SystemResolvers.RESOLV_CONF);
    }

    /**
     * Reads the section; empty when any of its keys had a problem (all recorded). Without
     * {@code resolvers}, the nameservers of {@code resolvConf} are read now; a file without any
     * is an error located at the backend.
     */
    public static Optional<DnsBackendConfig> read(Section s, Path resolvConf) {
        int problemsBefore = s.problems().count();
        String name = s.requiredString("dns");
        if (name != null) {
            name = s.parsed("dns", DnsBackendConfig::requireHostname).orElse(null);
        }
        Integer port = s.optionalInteger("port", 1, 65535).orElse(null);
        if (port == null && s.node("port").isEmpty()) {
            s.error(s.what() + " needs 'port': the port to connect to on each resolved address");
        }
        List<InetSocketAddress> resolvers = resolvers(s, resolvConf);

        Optional<Duration> interval = s.optionalDuration("resolve-interval", DnsBackendConfig.MIN_INTERVAL,
                DnsBackendConfig.MAX_INTERVAL);
        boolean intervalUsable = interval.isPresent() || s.node("resolve-interval").isEmpty();
        Duration iv = interval.orElse(DnsBackendConfig.DEFAULT_INTERVAL);
        Optional<Duration> timeout = s.optionalDuration("resolve-timeout", DnsBackendConfig.MIN_TIMEOUT,
                DnsBackendConfig.MAX_TIMEOUT);
        if (intervalUsable && timeout.isPresent() && timeout.get().compareTo(iv) >= 0) {
            s.error("resolve-timeout", "'resolve-timeout' (" + Durations.format(timeout.get())
                    + ") must be shorter than 'resolve-interval' (" + Durations.format(iv) + ")");
        }
        int fall = s.integer("resolve-fall", DnsBackendConfig.DEFAULT_FALL, 1, DnsBackendConfig.MAX_FALL);
        Family family = s.choice("family", Family.class, Family.IPV4);
        AddressMode addresses = s.choice("addresses", AddressMode.class, AddressMode.FIRST);
        OnChange onChange = s.choice("on-change", OnChange.class, OnChange.KEEP);

        if (s.problems().count() != problemsBefore) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DnsBackendConfig(name, port, resolvers, iv,
                    timeout.orElse(DnsBackendConfig.defaultTimeout(iv)), fall, family, addresses, onChange));
        } catch (IllegalArgumentException | NullPointerException e) {
            s.error(s.what() + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static List<InetSocketAddress> resolvers(Section s, Path resolvConf) {
        Optional<ConfigNode> node = s.node("resolvers");
        if (node.isEmpty()) {
            try {
                return SystemResolvers.read(resolvConf);
            } catch (IllegalArgumentException e) {
                s.error(s.what() + ": " + e.getMessage());
                return List.of();
            }
        }
        int before = s.problems().count();
        List<InetSocketAddress> list = s.parsedList("resolvers", SocketAddresses::parse);
        if (s.problems().count() != before) {
            return List.of();
        }
        if (list.isEmpty()) {
            s.error("resolvers", "'resolvers' must list at least one ip:port, or be left out to use the system's");
        } else if (list.size() > DnsBackendConfig.MAX_RESOLVERS) {
            s.error("resolvers", "'resolvers' lists " + list.size() + " addresses; at most "
                    + DnsBackendConfig.MAX_RESOLVERS + " are asked");
        } else {
            Set<InetSocketAddress> seen = new HashSet<>();
            for (InetSocketAddress a : list) {
                if (!seen.add(a)) {
                    s.error("resolvers", "'resolvers' lists " + SocketAddresses.format(a) + " twice");
                }
            }
        }
        return list;
    }
}
