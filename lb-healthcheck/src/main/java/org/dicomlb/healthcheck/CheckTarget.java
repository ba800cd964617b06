package org.dicomlb.healthcheck;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.dicomlb.healthcheck.config.HealthCheckConfig;

/**
 * One endpoint to check. {@code id} is opaque to the checker and unique across owners (the
 * engine uses {@code pool/backend}, GSLB {@code gslb:name/member}). {@code labels} are the tags of
 * the target's meters (besides {@code check}): bounded values its owner chooses, such as
 * {@code pool} and {@code backend}, or {@code name} and {@code member}. {@code address} is the
 * endpoint's own address; the config may redirect probes elsewhere.
 */
public record CheckTarget(String id, InetSocketAddress address, HealthCheckConfig config, Map<String, String> labels) {
    public CheckTarget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(config, "config");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a check target needs a non-blank id");
        }
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("target " + id + ": address " + address + " is unresolved; give an IP");
        }
        if (labels.containsKey("check")) {
            throw new IllegalArgumentException("target " + id + ": the 'check' label is the checker's own");
        }
        // Sorted, so equal label sets compare and print the same.
        labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** A target labelled {@code pool} and {@code backend} from an id of the form {@code pool/backend}. */
    public CheckTarget(String id, InetSocketAddress address, HealthCheckConfig config) {
        this(id, address, config, poolAndBackend(id));
    }

    /** {@code pool/backend} splits at the last slash; an id without one is all backend. */
    public static Map<String, String> poolAndBackend(String id) {
        int slash = id.lastIndexOf('/');
        return Map.of("pool", slash < 0 ? "" : id.substring(0, slash), "backend", slash < 0 ? id : id.substring(slash + 1));
    }
}
