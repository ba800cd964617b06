package org.dicomlb.dicom.pdu;

import org.dicomlb.dicom.Coded;

/**
 * A-ABORT reason/diagnostic field (PS3.8 table 9-26). Significant only when the source is the
 * service provider; a receiver ignores it otherwise. Values above 6 decode as
 * {@link #NOT_SPECIFIED}: an abort ends the association whatever it says, so it is never refused.
 */
public enum AbortReason implements Coded {
    NOT_SPECIFIED(0),
    UNRECOGNIZED_PDU(1),
    UNEXPECTED_PDU(2),
    /** Value 3 is reserved by the standard; kept so that such an abort still decodes. */
    RESERVED(3),
    UNRECOGNIZED_PDU_PARAMETER(4),
    UNEXPECTED_PDU_PARAMETER(5),
    INVALID_PDU_PARAMETER_VALUE(6);

    private final int code;

    AbortReason(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    static AbortReason fromCode(int code) {
        return Coded.byCode(AbortReason.class, code).orElse(NOT_SPECIFIED);
    }
}
