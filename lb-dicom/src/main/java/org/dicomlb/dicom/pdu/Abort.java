package org.dicomlb.dicom.pdu;

import java.util.Objects;

/** A-ABORT (PS3.8 §9.3.8). */
public record Abort(AbortSource source, AbortReason reason) implements Pdu {
    /** What an application sends when it gives up on an association itself. */
    public static final Abort BY_SERVICE_USER = new Abort(AbortSource.SERVICE_USER, AbortReason.NOT_SPECIFIED);

    public Abort {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
    }

    /** An abort by the upper-layer provider, the kind a receiver sends for a protocol error. */
    public static Abort byProvider(AbortReason reason) {
        return new Abort(AbortSource.SERVICE_PROVIDER, reason);
    }

    @Override
    public PduType type() {
        return PduType.A_ABORT;
    }
}
