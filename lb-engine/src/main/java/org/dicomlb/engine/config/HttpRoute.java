package org.dicomlb.engine.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One route of an http listener: requests whose host matches one of {@code hosts} (any host when
 * empty) and whose path starts with {@code pathPrefix} (any path when empty) go to {@code pool},
 * with the route's header rules applied after the listener's.
 *
 * @param label       the route's {@code name}, or its 1-based position (access log {@code route=})
 * @param persistence the route's own persistence, replacing the listener's; empty: the listener's
 */
public record HttpRoute(String label, List<HostPattern> hosts, Optional<String> pathPrefix, String pool,
                        HeaderRules requestHeaders, HeaderRules responseHeaders, Optional<Persistence> persistence) {
    public HttpRoute {
        Objects.requireNonNull(label, "label");
        hosts = List.copyOf(hosts);
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        Names.check("pool", pool);
        Objects.requireNonNull(requestHeaders, "requestHeaders");
        Objects.requireNonNull(responseHeaders, "responseHeaders");
        Objects.requireNonNull(persistence, "persistence");
        pathPrefix.ifPresent(p -> {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("path-prefix must start with '/', not '" + p + "'");
            }
        });
    }

    /**
     * Whether a request for {@code host} (lower case, without port; null when the request named
     * none) and {@code path} (the request target up to '?') takes this route.
     */
    public boolean matches(String host, String path) {
        if (pathPrefix.isPresent() && !path.startsWith(pathPrefix.get())) {
            return false;
        }
        if (hosts.isEmpty()) {
            return true;
        }
        if (host == null) {
            return false;
        }
        for (HostPattern h : hosts) {
            if (h.matches(host)) {
                return true;
            }
        }
        return false;
    }
}
