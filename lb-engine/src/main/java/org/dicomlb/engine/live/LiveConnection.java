package org.dicomlb.engine.live;

import java.time.Instant;
import java.util.Objects;

/**
 * One open client connection (for a {@code dicom} listener: one association) at the instant it
 * was looked at, for {@code GET /api/v1/connections} and {@code dicomlb connections}. Immutable;
 * made on the connection's own event loop, so its fields agree with each other.
 *
 * @param id        unique within this dicomlb process; what {@code dicomlb connections --close} takes
 * @param state     {@code waiting} (held at the listener's max-connections), {@code connecting}
 *                  (choosing and dialing a backend; for dicom: the A-ASSOCIATE-RQ is being read or
 *                  negotiated), {@code relaying}, {@code serving} (an http connection carrying
 *                  requests; its pool and backend are per request, so null here), or {@code closing}
 * @param pool      the pool chosen, null before one is
 * @param backend   the backend's name, null until connected
 * @param server    the backend address ({@code ip:port}), null until connected
 * @param since     when the client connection was accepted
 * @param ageMillis how long ago that was
 * @param bytesIn   relayed from the client to the backend so far
 * @param bytesOut  relayed from the backend to the client so far
 * @param dicom     the association's fields, null on a tcp listener
 */
public record LiveConnection(long id, String listener, String mode, String state, String client, String pool,
                             String backend, String server, Instant since, long ageMillis, long bytesIn, long bytesOut,
                             Association dicom) {
    public LiveConnection {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(since, "since");
    }

    /**
     * The DICOM side of a connection.
     *
     * @param callingAe  as the modality sent it, null until its A-ASSOCIATE-RQ is in
     * @param calledAe   as the modality sent it, null until its A-ASSOCIATE-RQ is in
     * @param result     the negotiation's outcome so far ({@code accepted}, ...), null while undecided
     * @param pdataIn    P-DATA-TF PDUs from the modality so far; null when PDUs are not followed
     *                   ({@code observe-pdus: false}, or before the association was accepted)
     * @param pdataOut   P-DATA-TF PDUs to the modality so far; null likewise
     */
    public record Association(String callingAe, String calledAe, String result, Long pdataIn, Long pdataOut) {
    }

    /** {@code pool/backend} when connected, else null. */
    public String poolBackend() {
        return pool == null || backend == null ? null : pool + "/" + backend;
    }
}
