package org.dicomlb.cli.config;

import java.util.Objects;
import java.util.Optional;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.gslb.config.GslbConfig;

/**
 * The whole configuration file. Each module owns its section's records; this ties them together.
 *
 * @param admin  the admin listener, when the file has one
 * @param engine listeners and pools (empty when the file runs other parts alone)
 * @param gslb   the GSLB DNS responder, when the file has a {@code gslb:} section
 */
public record RootConfig(Optional<AdminConfig> admin, EngineConfig engine, Optional<GslbConfig> gslb) {
    public RootConfig {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(gslb, "gslb");
    }

    /** A configuration without a GSLB. */
    public RootConfig(Optional<AdminConfig> admin, EngineConfig engine) {
        this(admin, engine, Optional.empty());
    }
}
