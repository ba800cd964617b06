package org.dicomlb.dicom.netty;

import io.netty.handler.codec.DecoderException;
import java.util.Objects;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AbortReason;

/**
 * A peer sent bytes that are not a valid PDU: an unknown PDU type, a length above the bound,
 * or a body {@link org.dicomlb.dicom.pdu.PduCodec} refused. It reaches
 * {@code exceptionCaught}, where the handler answers with {@link #abortToSend()} and closes
 * (see {@link DicomChannels#abortAndClose}).
 */
public final class InvalidPduException extends DecoderException {
    private final AbortReason abortReason;

    public InvalidPduException(AbortReason abortReason, String message, Throwable cause) {
        super(message, cause);
        this.abortReason = Objects.requireNonNull(abortReason, "abortReason");
    }

    public AbortReason abortReason() {
        return abortReason;
    }

    public Abort abortToSend() {
        return Abort.byProvider(abortReason);
    }
}
