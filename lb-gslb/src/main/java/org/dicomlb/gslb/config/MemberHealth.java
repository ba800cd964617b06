package org.dicomlb.gslb.config;

import java.util.Objects;
import org.dicomlb.healthcheck.config.HealthCheckConfig;

/** Where a member's health comes from: an active check of its own, or a pool of this appliance. */
public sealed interface MemberHealth {
    /** Checked by the appliance's health checker (default: tcp to the member's address on port 104). */
    record Check(HealthCheckConfig config) implements MemberHealth {
        public Check {
            Objects.requireNonNull(config, "config");
        }
    }

    /** Healthy while the local pool has a backend that may take new connections. */
    record Pool(String pool) implements MemberHealth {
        public Pool {
            Objects.requireNonNull(pool, "pool");
            if (pool.isBlank()) {
                throw new IllegalArgumentException("a member's pool needs a name");
            }
        }
    }
}
