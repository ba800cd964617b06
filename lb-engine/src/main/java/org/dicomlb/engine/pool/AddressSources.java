package org.dicomlb.engine.pool;

import java.time.Instant;
import java.util.List;
import org.dicomlb.engine.config.BackendAddress;

/**
 * Gives each backend its addresses, by the kind of its {@link BackendAddress}. A fixed address is
 * set at once; a kind resolved over time plugs in here with its resolver, publishing new
 * addresses on the control thread. Control thread only.
 */
public final class AddressSources {
    /**
     * Sets the addresses of {@code backend} from its configuration.
     *
     * @return endpoints that left (their connections continue until they end)
     */
    public List<Endpoint> apply(Backend backend) {
        return switch (backend.config().address()) {
            case BackendAddress.Static s -> {
                if (backend.single().map(e -> e.address().equals(s.address())).orElse(false)) {
                    yield List.of();
                }
                yield backend.addresses(new Backend.Addresses(List.of(s.address()), "config", Instant.now(), ""), false);
            }
        };
    }
}
