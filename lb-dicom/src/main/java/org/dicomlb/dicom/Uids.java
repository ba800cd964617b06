package org.dicomlb.dicom;

/** UIDs this module speaks, from PS3.6 annex A, plus dicomlb's own implementation identity. */
public final class Uids {
    /** DICOM application context name, the only one PS3.7 annex A defines. */
    public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    public static final String VERIFICATION = "1.2.840.10008.1.1";
    public static final String IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
    /** Prefix shared by the storage SOP classes of PS3.4 annex B (CT, MR, secondary capture ...). */
    public static final String STORAGE_SOP_CLASS_PREFIX = "1.2.840.10008.5.1.4.1.1.";
    public static final String SECONDARY_CAPTURE_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.7";

    /**
     * dicomlb's implementation class UID. Derived from a random UUID under the 2.25 arc
     * (PS3.5 B.2), which needs no registered organisation root; it must never change between
     * releases because peers log and sometimes filter on it.
     */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.204047840332673508239533586514740227906";
    public static final String IMPLEMENTATION_VERSION_NAME = "DICOMLB_0_1";

    public static final int MAX_LENGTH = 64;

    private Uids() {
    }

    /** Whether {@code uid} has the PS3.5 §9.1 shape: 1..64 characters, digits and dots. */
    public static boolean isValid(String uid) {
        if (uid == null || uid.isEmpty() || uid.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < uid.length(); i++) {
            char c = uid.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** {@code uid} unchanged, or an {@link IllegalArgumentException} naming {@code what}. */
    public static String require(String uid, String what) {
        if (!isValid(uid)) {
            throw new IllegalArgumentException(what + " '" + uid + "' is not a UID (1..64 digits and dots)");
        }
        return uid;
    }
}
