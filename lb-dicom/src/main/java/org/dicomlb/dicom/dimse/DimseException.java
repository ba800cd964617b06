package org.dicomlb.dicom.dimse;

/** A command set that cannot be read, or a DIMSE message that breaks PS3.7. */
public final class DimseException extends Exception {
    public DimseException(String message) {
        super(message);
    }
}
