package org.dicomlb.gslb.config;

import java.util.Locale;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Domain names as the config holds them: lower case, no trailing dot, checked against DNS limits. */
public final class DnsNames {
    private DnsNames() {
    }

    /** {@code Dicom.Example.ORG.} becomes {@code dicom.example.org}; throws for names DNS cannot carry. */
    public static String canonical(String text) {
        String s = text.strip();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("a domain name cannot be empty (the root is not served)");
        }
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' has an empty label");
            }
            if (label.length() > 63) {
                throw new IllegalArgumentException("'" + text + "': label '" + label + "' is longer than 63 characters");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                    throw new IllegalArgumentException("'" + text + "' is not a host name (letters, digits, '-' and '_' in dot-separated labels)");
                }
            }
        }
        try {
            Name.fromString(s, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a domain name: " + e.getMessage());
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** True when {@code name} equals {@code zone} or lies below it (both canonical). */
    public static boolean within(String name, String zone) {
        return name.equals(zone) || name.endsWith("." + zone);
    }

    /** The dnsjava form of a canonical name (absolute). */
    public static Name toName(String canonical) {
        try {
            return Name.fromString(canonical, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
