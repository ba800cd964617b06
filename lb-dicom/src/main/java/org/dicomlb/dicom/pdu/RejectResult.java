package org.dicomlb.dicom.pdu;

import org.dicomlb.dicom.Coded;

/** A-ASSOCIATE-RJ result field (PS3.8 table 9-21). */
public enum RejectResult implements Coded {
    /** Do not retry with the same parameters. */
    PERMANENT(1),
    /** The SCU may retry later, e.g. when no backend is available. */
    TRANSIENT(2);

    private final int code;

    RejectResult(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    static RejectResult fromCode(int code) throws PduDecodeException {
        return Coded.byCode(RejectResult.class, code)
                .orElseThrow(() -> PduDecodeException.invalidValue("A-ASSOCIATE-RJ result " + code + " is not 1 or 2"));
    }
}
