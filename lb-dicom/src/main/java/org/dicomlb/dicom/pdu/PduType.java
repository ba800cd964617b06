package org.dicomlb.dicom.pdu;

import java.util.Optional;
import org.dicomlb.dicom.Coded;

/** The seven PDU types of PS3.8 §9.3; any other type octet is an unrecognized PDU. */
public enum PduType implements Coded {
    A_ASSOCIATE_RQ(0x01),
    A_ASSOCIATE_AC(0x02),
    A_ASSOCIATE_RJ(0x03),
    P_DATA_TF(0x04),
    A_RELEASE_RQ(0x05),
    A_RELEASE_RP(0x06),
    A_ABORT(0x07);

    private static final PduType[] BY_CODE = values();

    private final int code;

    PduType(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    public static Optional<PduType> fromCode(int code) {
        return code >= 1 && code <= BY_CODE.length ? Optional.of(BY_CODE[code - 1]) : Optional.empty();
    }

    /** The name used in PS3.8, such as {@code A-ASSOCIATE-RQ}; for logs and error messages. */
    public String standardName() {
        return name().replace('_', '-');
    }
}
