package org.dicomlb.dicom.pdu;

/** A-RELEASE-RQ (PS3.8 §9.3.6): no parameters, four reserved octets. */
public record ReleaseRq() implements Pdu {
    public static final ReleaseRq INSTANCE = new ReleaseRq();

    @Override
    public PduType type() {
        return PduType.A_RELEASE_RQ;
    }
}
