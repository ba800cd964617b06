package org.dicomlb.dicom.dimse;

/** DIMSE status codes (PS3.7 annex C) that this module sends or tests for. */
public final class Status {
    public static final int SUCCESS = 0x0000;
    /** Refused: SOP class not supported. */
    public static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
    /** Refused: out of resources (C-STORE, PS3.4 B.2.3). */
    public static final int OUT_OF_RESOURCES = 0xA700;
    /** Error: data set does not match SOP class (C-STORE). */
    public static final int DATA_SET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;

    private Status() {
    }

    public static boolean isSuccess(int status) {
        return status == SUCCESS;
    }

    public static String hex(int status) {
        return String.format("0x%04X", status);
    }
}
