package org.dicomlb.dicom.pdu;

import org.dicomlb.dicom.Coded;

/** Result/reason of a presentation context in an A-ASSOCIATE-AC (PS3.8 table 9-18). */
public enum PresentationContextResult implements Coded {
    ACCEPTANCE(0),
    USER_REJECTION(1),
    NO_REASON(2),
    ABSTRACT_SYNTAX_NOT_SUPPORTED(3),
    TRANSFER_SYNTAXES_NOT_SUPPORTED(4);

    private final int code;

    PresentationContextResult(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    static PresentationContextResult fromCode(int code) throws PduDecodeException {
        return Coded.byCode(PresentationContextResult.class, code)
                .orElseThrow(() -> PduDecodeException.invalidValue("presentation context result " + code + " is not in 0..4"));
    }
}
