/**
 * The DICOM Upper Layer (PS3.8) subset a DICOM-aware proxy needs, and the value types every
 * part of it shares: {@link org.dicomlb.dicom.AeTitle} for titles we configure or send,
 * {@link org.dicomlb.dicom.WireAeTitle} for whatever a peer put in the 16-byte field, and the
 * well-known {@link org.dicomlb.dicom.Uids}.
 *
 * <p>Sub-packages: {@code pdu} (PDU records and their byte codec), {@code netty} (framing and
 * channel helpers), {@code dimse} (command sets), {@code echo} (the C-ECHO SCU) and {@code scp}
 * (a simulated Verification/Storage SCP for demos and tests).
 */
package org.dicomlb.dicom;
