package org.dicomlb.dicom.pdu;

import java.util.Objects;

/**
 * One presentation data value item of a P-DATA-TF (PS3.8 §9.3.5.1, annex E): a fragment of a
 * DIMSE command set or data set on one presentation context.
 *
 * @param command message control header bit 0: command (true) or data set (false) fragment
 * @param last    message control header bit 1: the last fragment of that command or data set
 */
public record Pdv(int contextId, boolean command, boolean last, Bytes data) {
    /** Octets of a PDV item besides its fragment: item length (4), context ID, control header. */
    public static final int OVERHEAD = 6;

    public Pdv {
        PresentationContextRq.checkId(contextId);
        Objects.requireNonNull(data, "data");
    }

    public int encodedLength() {
        return OVERHEAD + data.length();
    }

    /** The message control header octet; bits 2..7 are reserved and sent as zero. */
    public int controlHeader() {
        return (command ? 1 : 0) | (last ? 2 : 0);
    }
}
