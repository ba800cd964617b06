package org.dicomlb.cli.config;

import java.util.Objects;
import org.dicomlb.engine.config.EngineConfig;

/** The whole configuration file. Each module owns its section's records; this ties them together. */
public record RootConfig(EngineConfig engine) {
    public RootConfig {
        Objects.requireNonNull(engine, "engine");
    }
}
