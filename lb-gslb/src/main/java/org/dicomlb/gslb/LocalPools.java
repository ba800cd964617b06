package org.dicomlb.gslb;

import java.util.Optional;

/**
 * What the GSLB needs to know of this appliance's own pools, for members written
 * {@code pool: NAME}. The composition root implements it from the engine; this module never
 * sees the engine. Called on the GSLB's control thread, often (after every health event and on
 * a short timer), so it must be cheap and must not block.
 */
@FunctionalInterface
public interface LocalPools {
    /** No pools at all (a GSLB-only appliance). */
    LocalPools NONE = pool -> Optional.empty();

    /**
     * Whether {@code pool} has a backend that may take a new connection now (healthy and not
     * drained or in maintenance); empty when there is no such pool.
     */
    Optional<Boolean> hasEligibleBackend(String pool);
}
