package org.dicomlb.dicom.pdu;

import java.util.Objects;
import org.dicomlb.dicom.Uids;

/**
 * The acceptor's answer for one presentation context, item 0x21 (PS3.8 §9.3.3.2).
 *
 * @param transferSyntax the chosen transfer syntax; significant only on acceptance, and may be
 *                       empty otherwise because some acceptors leave the sub-item out then
 */
public record PresentationContextAc(int id, PresentationContextResult result, String transferSyntax) {
    public PresentationContextAc {
        PresentationContextRq.checkId(id);
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(transferSyntax, "transferSyntax");
        if (result == PresentationContextResult.ACCEPTANCE || !transferSyntax.isEmpty()) {
            Uids.require(transferSyntax, "transfer syntax");
        }
    }

    public static PresentationContextAc accept(int id, String transferSyntax) {
        return new PresentationContextAc(id, PresentationContextResult.ACCEPTANCE, transferSyntax);
    }

    public static PresentationContextAc reject(int id, PresentationContextResult why) {
        if (why == PresentationContextResult.ACCEPTANCE) {
            throw new IllegalArgumentException("a rejection needs a rejection reason");
        }
        // The sub-item is mandatory in the AC even when it is not significant; DCMTK sends one.
        return new PresentationContextAc(id, why, Uids.IMPLICIT_VR_LITTLE_ENDIAN);
    }

    public boolean accepted() {
        return result == PresentationContextResult.ACCEPTANCE;
    }
}
