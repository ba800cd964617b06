package org.dicomlb.dicom.pdu;

/** A-ASSOCIATE-RJ source field (PS3.8 table 9-21). */
public enum RejectSource {
    SERVICE_USER(1),
    SERVICE_PROVIDER_ACSE(2),
    SERVICE_PROVIDER_PRESENTATION(3);

    private final int code;

    RejectSource(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static RejectSource fromCode(int code) throws PduDecodeException {
        for (RejectSource s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw PduDecodeException.invalidValue("A-ASSOCIATE-RJ source " + code + " is not 1, 2 or 3");
    }
}
