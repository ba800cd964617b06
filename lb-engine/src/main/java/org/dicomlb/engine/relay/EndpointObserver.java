package org.dicomlb.engine.relay;

import java.net.InetAddress;
import org.dicomlb.engine.pool.Endpoint;

/**
 * What live traffic tells about backends (passive health). Implementations must be thread-safe
 * and must not block: they are called from event loops.
 */
public interface EndpointObserver {
    EndpointObserver NONE = new EndpointObserver() {
        @Override
        public void failed(Endpoint endpoint, String reason, InetAddress client) {
        }

        @Override
        public void succeeded(Endpoint endpoint, InetAddress client) {
        }
    };

    /** A connect attempt to the backend failed. */
    void failed(Endpoint endpoint, String reason, InetAddress client);

    /** The backend refused or aborted the client's request at protocol level (e.g. A-ASSOCIATE-RJ). */
    default void rejected(Endpoint endpoint, String reason, InetAddress client) {
        failed(endpoint, reason, client);
    }

    /** A connection to the backend was established (and, for DICOM, accepted). */
    void succeeded(Endpoint endpoint, InetAddress client);
}
