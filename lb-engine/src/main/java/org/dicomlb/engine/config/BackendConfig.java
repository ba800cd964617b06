package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.dicomlb.dicom.AeTitle;

/**
 * A backend server of a pool. {@code address} says where its addresses come from (one fixed
 * address, or a name resolved on a schedule); each address becomes an endpoint. {@code weight} 0
 * takes no new connections (a soft drain written in the file); {@code maxConnections} 0 means
 * unlimited, and applies to each of its endpoints; {@code backup} members take traffic only when
 * no primary is eligible. {@code calledAe}, for dicom listeners, is the backend's own AE title:
 * the A-ASSOCIATE-RQ is readdressed to it (and the AC's AE fields restored for the client).
 */
public record BackendConfig(String name, BackendAddress address, int weight, boolean backup, int maxConnections,
                            Optional<AeTitle> calledAe) {
    public static final int MAX_WEIGHT = 1000;

    public BackendConfig {
        Names.check("backend", name);
        Objects.requireNonNull(address, "address");
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 0.." + MAX_WEIGHT);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max-connections must not be negative");
        }
        Objects.requireNonNull(calledAe, "calledAe");
    }

    /** A backend at one fixed address whose AE title is left as the client sent it. */
    public BackendConfig(String name, InetSocketAddress address, int weight, boolean backup, int maxConnections) {
        this(name, new BackendAddress.Static(address), weight, backup, maxConnections, Optional.empty());
    }
}
