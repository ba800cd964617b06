package org.dicomlb.dicom.pdu;

import java.util.Objects;

/**
 * Bytes that are not a valid PDU. Carries the A-ABORT reason PS3.8 §9.3.8 says a receiver
 * should send, so that whoever catches it can answer the peer and close.
 */
public final class PduDecodeException extends Exception {
    private final AbortReason abortReason;

    public PduDecodeException(AbortReason abortReason, String message) {
        super(message);
        this.abortReason = Objects.requireNonNull(abortReason, "abortReason");
    }

    public static PduDecodeException invalidValue(String message) {
        return new PduDecodeException(AbortReason.INVALID_PDU_PARAMETER_VALUE, message);
    }

    public AbortReason abortReason() {
        return abortReason;
    }
}
