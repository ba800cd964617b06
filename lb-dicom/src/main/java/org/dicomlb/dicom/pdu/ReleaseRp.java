package org.dicomlb.dicom.pdu;

/** A-RELEASE-RP (PS3.8 §9.3.7): no parameters, four reserved octets. */
public record ReleaseRp() implements Pdu {
    public static final ReleaseRp INSTANCE = new ReleaseRp();

    @Override
    public PduType type() {
        return PduType.A_RELEASE_RP;
    }
}
