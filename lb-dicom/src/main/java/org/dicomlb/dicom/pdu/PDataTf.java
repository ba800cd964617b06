package org.dicomlb.dicom.pdu;

import java.util.ArrayList;
import java.util.List;

/** P-DATA-TF (PS3.8 §9.3.5): one or more PDV items. */
public record PDataTf(List<Pdv> pdvs) implements Pdu {
    public PDataTf {
        pdvs = List.copyOf(pdvs);
        if (pdvs.isEmpty()) {
            throw new IllegalArgumentException("a P-DATA-TF carries at least one PDV");
        }
    }

    public static PDataTf of(Pdv... pdvs) {
        return new PDataTf(List.of(pdvs));
    }

    @Override
    public PduType type() {
        return PduType.P_DATA_TF;
    }

    /** The PDU length field: the sum of the PDV items. */
    public long bodyLength() {
        long n = 0;
        for (Pdv p : pdvs) {
            n += p.encodedLength();
        }
        return n;
    }

    /**
     * Splits a whole command or data set into P-DATA-TF PDUs, one PDV each, none longer than
     * {@code peerMaxLength} (the peer's 0x51 value; 0 = unlimited). Only the final fragment has
     * the last bit set.
     */
    public static List<PDataTf> fragment(int contextId, boolean command, byte[] message, long peerMaxLength) {
        long room = peerMaxLength == 0 ? Integer.MAX_VALUE - Pdv.OVERHEAD : peerMaxLength - Pdv.OVERHEAD;
        if (room < 1) {
            throw new IllegalArgumentException("peer max length " + peerMaxLength + " leaves no room for a fragment");
        }
        int chunk = (int) Math.min(room, Integer.MAX_VALUE - Pdv.OVERHEAD);
        List<PDataTf> out = new ArrayList<>();
        int offset = 0;
        do {
            int n = Math.min(chunk, message.length - offset);
            byte[] part = java.util.Arrays.copyOfRange(message, offset, offset + n);
            offset += n;
            out.add(PDataTf.of(new Pdv(contextId, command, offset == message.length, new Bytes(part))));
        } while (offset < message.length);
        return out;
    }
}
