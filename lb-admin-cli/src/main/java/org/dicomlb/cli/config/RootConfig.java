package org.dicomlb.cli.config;

import java.util.Objects;
import java.util.Optional;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.vip.config.VipConfig;

/**
 * The whole configuration file. Each module owns its section's records; this ties them together.
 *
 * @param admin  the admin listener, when the file has one
 * @param engine listeners and pools (empty when the file runs other parts alone)
 * @param vip    the floating VIP of an active/passive pair, when the file has one
 */
public record RootConfig(Optional<AdminConfig> admin, EngineConfig engine, Optional<VipConfig> vip) {
    public RootConfig {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(vip, "vip");
    }
}
