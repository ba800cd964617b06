package org.dicomlb.dicom.pdu;

/** Result/reason of a presentation context in an A-ASSOCIATE-AC (PS3.8 table 9-18). */
public enum PresentationContextResult {
    ACCEPTANCE(0),
    USER_REJECTION(1),
    NO_REASON(2),
    ABSTRACT_SYNTAX_NOT_SUPPORTED(3),
    TRANSFER_SYNTAXES_NOT_SUPPORTED(4);

    private final int code;

    PresentationContextResult(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static PresentationContextResult fromCode(int code) throws PduDecodeException {
        if (code < 0 || code >= values().length) {
            throw PduDecodeException.invalidValue("presentation context result " + code + " is not in 0..4");
        }
        return values()[code];
    }
}
