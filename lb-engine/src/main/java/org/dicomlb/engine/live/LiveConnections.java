package org.dicomlb.engine.live;

import java.util.List;

/**
 * A bounded listing of open connections: the first {@code connections.size()} (oldest first) of
 * {@code matched} that passed the filter.
 */
public record LiveConnections(int matched, List<LiveConnection> connections) {
    public LiveConnections {
        connections = List.copyOf(connections);
        if (matched < connections.size()) {
            throw new IllegalArgumentException("matched " + matched + " < listed " + connections.size());
        }
    }

    /** Matching connections left out of the listing by its limit. */
    public int more() {
        return matched - connections.size();
    }
}
