package org.dicomlb.healthcheck.config;

/**
 * Application Entity titles as PS3.5 defines them: 1 to 16 characters of the default repertoire,
 * no backslash, no control characters, not only spaces. Checked when the config is read so that a
 * probe never sends an A-ASSOCIATE-RQ the backend must reject for its form.
 */
public final class AeTitles {
    public static final int MAX_LENGTH = 16;

    private AeTitles() {
    }

    /** Returns {@code ae} unchanged, or throws {@link IllegalArgumentException} saying what is wrong. */
    public static String requireValid(String ae) {
        if (ae == null || ae.isBlank()) {
            throw new IllegalArgumentException("an AE title must not be empty or only spaces");
        }
        if (ae.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("AE title '" + ae + "' is " + ae.length()
                    + " characters; at most " + MAX_LENGTH + " are allowed");
        }
        for (int i = 0; i < ae.length(); i++) {
            char c = ae.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '\\') {
                throw new IllegalArgumentException("AE title '" + ae
                        + "' may hold only printable ASCII characters other than backslash");
            }
        }
        return ae;
    }
}
