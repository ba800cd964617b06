package org.dicomlb.engine.config;

import java.util.regex.Pattern;

/**
 * Names of listeners, pools and backends. They appear in metric tags, admin URLs
 * ({@code /api/v1/pools/archive/backends/arch1}) and log lines, so they are restricted to
 * characters that need no escaping anywhere.
 */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private Names() {
    }

    public static String check(String kind, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(kind + " name '" + name
                    + "' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return name;
    }

    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
