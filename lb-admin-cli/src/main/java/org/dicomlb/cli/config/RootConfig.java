package org.dicomlb.cli.config;

import java.util.Objects;
import java.util.Optional;
import org.dicomlb.engine.config.EngineConfig;

/**
 * The whole configuration file. Each module owns its section's records; this ties them together.
 *
 * @param admin  the admin listener, when the file has one
 * @param engine listeners and pools (empty when the file runs other parts alone)
 */
public record RootConfig(Optional<AdminConfig> admin, EngineConfig engine) {
    public RootConfig {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(engine, "engine");
    }
}
