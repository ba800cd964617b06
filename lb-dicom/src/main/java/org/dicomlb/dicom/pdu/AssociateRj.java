package org.dicomlb.dicom.pdu;

import java.util.Objects;

/**
 * A-ASSOCIATE-RJ (PS3.8 §9.3.4). The reason is kept as its octet because its meaning depends
 * on the source and some values are reserved; {@link #reason()} names it.
 */
public record AssociateRj(RejectResult result, RejectSource source, int reasonCode) implements Pdu {
    public AssociateRj {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(source, "source");
        if (reasonCode < 0 || reasonCode > 0xff) {
            throw new IllegalArgumentException("reject reason " + reasonCode + " does not fit one octet");
        }
    }

    /** A reject for a named reason; the source is the one the reason belongs to. */
    public static AssociateRj of(RejectResult result, RejectReason reason) {
        if (reason == RejectReason.RESERVED) {
            throw new IllegalArgumentException("a reject is sent for a defined reason, not a reserved one");
        }
        return new AssociateRj(result, reason.source(), reason.code());
    }

    @Override
    public PduType type() {
        return PduType.A_ASSOCIATE_RJ;
    }

    public RejectReason reason() {
        return RejectReason.of(source, reasonCode);
    }
}
