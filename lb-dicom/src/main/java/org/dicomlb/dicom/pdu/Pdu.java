package org.dicomlb.dicom.pdu;

/**
 * One protocol data unit of the DICOM Upper Layer (PS3.8 §9.3). {@link PduCodec} turns these
 * into bytes and back.
 */
public sealed interface Pdu
        permits AssociateRq, AssociateAc, AssociateRj, PDataTf, ReleaseRq, ReleaseRp, Abort {
    PduType type();
}
