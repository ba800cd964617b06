package org.dicomlb.dicom.pdu;

/**
 * A-ASSOCIATE-RJ reason/diagnostic field (PS3.8 table 9-21). The meaning of the octet depends
 * on the source, so each constant names the source it belongs to. Values the standard marks
 * reserved are kept as {@link #RESERVED} so that a reject from a sloppy peer is still reported
 * as a reject.
 */
public enum RejectReason {
    NO_REASON_GIVEN(RejectSource.SERVICE_USER, 1),
    APPLICATION_CONTEXT_NAME_NOT_SUPPORTED(RejectSource.SERVICE_USER, 2),
    CALLING_AE_TITLE_NOT_RECOGNIZED(RejectSource.SERVICE_USER, 3),
    CALLED_AE_TITLE_NOT_RECOGNIZED(RejectSource.SERVICE_USER, 7),
    ACSE_NO_REASON_GIVEN(RejectSource.SERVICE_PROVIDER_ACSE, 1),
    PROTOCOL_VERSION_NOT_SUPPORTED(RejectSource.SERVICE_PROVIDER_ACSE, 2),
    TEMPORARY_CONGESTION(RejectSource.SERVICE_PROVIDER_PRESENTATION, 1),
    LOCAL_LIMIT_EXCEEDED(RejectSource.SERVICE_PROVIDER_PRESENTATION, 2),
    /** A value the standard reserves for this source; {@link AssociateRj#reasonCode()} has it. */
    RESERVED(null, -1);

    private final RejectSource source;
    private final int code;

    RejectReason(RejectSource source, int code) {
        this.source = source;
        this.code = code;
    }

    /** The source this reason belongs to; {@code null} only for {@link #RESERVED}. */
    public RejectSource source() {
        return source;
    }

    /** The octet on the wire; -1 for {@link #RESERVED}. */
    public int code() {
        return code;
    }

    public static RejectReason of(RejectSource source, int code) {
        for (RejectReason r : values()) {
            if (r.source == source && r.code == code) {
                return r;
            }
        }
        return RESERVED;
    }
}
