package org.dicomlb.cli.config;

import java.util.Objects;
import java.util.Optional;
import org.dicomlb.engine.config.EngineConfig;
import org.dicomlb.gslb.config.GslbConfig;
import org.dicomlb.vip.config.VipConfig;

/**
 * The whole configuration file. Each module owns its section's records; this ties them together.
 *
 * @param admin  the admin listener, when the file has one
 * @param engine listeners and pools (empty when the file runs other parts alone)
 * @param gslb   the GSLB DNS responder, when the file has a {@code gslb:} section
 * @param vip    the floating VIP of an active/passive pair, when the file has a {@code vip:} section
 */
public record RootConfig(Optional<AdminConfig> admin, EngineConfig engine, Optional<GslbConfig> gslb,
                         Optional<VipConfig> vip) {
    public RootConfig {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(gslb, "gslb");
        Objects.requireNonNull(vip, "vip");
    }

    /** A configuration without a VIP. */
    public RootConfig(Optional<AdminConfig> admin, EngineConfig engine, Optional<GslbConfig> gslb) {
        this(admin, engine, gslb, Optional.empty());
    }

    /** A configuration without a GSLB or a VIP. */
    public RootConfig(Optional<AdminConfig> admin, EngineConfig engine) {
        this(admin, engine, Optional.empty(), Optional.empty());
    }
}
