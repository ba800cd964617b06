package org.dicomlb.engine.dial;

import java.util.Objects;

/**
 * How one backend answered a connection's {@link Handshake}.
 *
 * @param <D> what the protocol learned from an accepting backend (for DICOM, its A-ASSOCIATE-AC)
 */
public sealed interface Answer<D> {
    /** The backend takes the connection; the frontend gets {@code detail}. */
    record Take<D>(D detail) implements Answer<D> {
    }

    /**
     * The backend cannot take this connection: the next one is tried.
     *
     * @param reason  the {@code reason} tag of {@code dicomlb.backend.connect.failures} (associate_timeout ...)
     * @param refused true when the backend answered with a refusal (which may be the client's
     *                fault, so passive health weighs it so), false when it failed to answer at all
     */
    record Next<D>(String reason, boolean refused) implements Answer<D> {
        public Next {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
