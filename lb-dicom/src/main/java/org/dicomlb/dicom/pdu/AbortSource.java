package org.dicomlb.dicom.pdu;

import org.dicomlb.dicom.Coded;

/**
 * A-ABORT source field (PS3.8 table 9-26). Value 1 and anything above 2 decode as
 * {@link #RESERVED}: an abort ends the association whatever it says, so it is never refused.
 */
public enum AbortSource implements Coded {
    SERVICE_USER(0),
    RESERVED(1),
    SERVICE_PROVIDER(2);

    private final int code;

    AbortSource(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    static AbortSource fromCode(int code) {
        return switch (code) {
            case 0 -> SERVICE_USER;
            case 2 -> SERVICE_PROVIDER;
            default -> RESERVED;
        };
    }
}
