package org.dicomlb.dicom.pdu;

/** A-ASSOCIATE-RJ result field (PS3.8 table 9-21). */
public enum RejectResult {
    /** Do not retry with the same parameters. */
    PERMANENT(1),
    /** The SCU may retry later, e.g. when no backend is available. */
    TRANSIENT(2);

    private final int code;

    RejectResult(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static RejectResult fromCode(int code) throws PduDecodeException {
        for (RejectResult r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw PduDecodeException.invalidValue("A-ASSOCIATE-RJ result " + code + " is not 1 or 2");
    }
}
