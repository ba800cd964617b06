package org.dicomlb.dicom.pdu;

import java.util.List;
import org.dicomlb.dicom.Uids;

/**
 * A proposed presentation context, item 0x20 (PS3.8 §9.3.2.2): one abstract syntax and the
 * transfer syntaxes the requestor can use for it, in its order of preference.
 *
 * @param id odd, 1..255
 */
public record PresentationContextRq(int id, String abstractSyntax, List<String> transferSyntaxes) {
    public PresentationContextRq {
        checkId(id);
        Uids.require(abstractSyntax, "abstract syntax");
        transferSyntaxes = List.copyOf(transferSyntaxes);
        if (transferSyntaxes.isEmpty()) {
            throw new IllegalArgumentException("presentation context " + id + " proposes no transfer syntax");
        }
        transferSyntaxes.forEach(ts -> Uids.require(ts, "transfer syntax"));
    }

    public static PresentationContextRq of(int id, String abstractSyntax, String... transferSyntaxes) {
        return new PresentationContextRq(id, abstractSyntax, List.of(transferSyntaxes));
    }

    /** Refuses a list of contexts in which an ID appears twice; {@code what} names the PDU. */
    static void checkDistinctIds(List<Integer> ids, String what) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int id : ids) {
            if (!seen.add(id)) {
                throw new IllegalArgumentException("presentation context ID " + id + " appears twice in " + what);
            }
        }
    }

    static void checkId(int id) {
        if (id < 1 || id > 255 || id % 2 == 0) {
            throw new IllegalArgumentException("presentation context ID " + id + " is not an odd number in 1..255");
        }
    }
}
