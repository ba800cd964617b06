package org.dicomlb.engine.dicom;

import java.util.Locale;

/** How the association negotiation of one connection came out: the access log's {@code result}. */
enum Outcome {
    /** A backend's A-ASSOCIATE-AC reached the client. */
    ACCEPTED,
    /** The client got an A-ASSOCIATE-RJ, from dicomlb or from a backend. */
    REJECTED,
    /** The negotiation ended with an A-ABORT (sent by dicomlb, or by the client). */
    ABORTED,
    /** No complete A-ASSOCIATE-RQ within {@code timeouts.associate}. */
    TIMEOUT,
    /** The client closed before the negotiation was decided. */
    CLOSED;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
