package org.dicomlb.dicom.pdu;

import org.dicomlb.dicom.Coded;

/** A-ASSOCIATE-RJ source field (PS3.8 table 9-21). */
public enum RejectSource implements Coded {
    SERVICE_USER(1),
    SERVICE_PROVIDER_ACSE(2),
    SERVICE_PROVIDER_PRESENTATION(3);

    private final int code;

    RejectSource(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    static RejectSource fromCode(int code) throws PduDecodeException {
        return Coded.byCode(RejectSource.class, code)
                .orElseThrow(() -> PduDecodeException.invalidValue("A-ASSOCIATE-RJ source " + code + " is not 1, 2 or 3"));
    }
}
