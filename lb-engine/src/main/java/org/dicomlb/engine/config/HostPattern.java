package org.dicomlb.engine.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A host a route matches: a name such as {@code viewer.example.org} (exactly, case-insensitive),
 * a wildcard {@code *.example.org} (any name ending in {@code .example.org}, not the bare
 * {@code example.org}), or an IP address literal as a client may put it in {@code Host}.
 */
public record HostPattern(String pattern) {
    private static final Pattern NAME = Pattern.compile(
            "(\\*\\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+\\]");

    public HostPattern {
        if (pattern == null || !(NAME.matcher(pattern).matches() || IPV6.matcher(pattern).matches())) {
            throw new IllegalArgumentException("'" + pattern + "' is not a host name (such as viewer.example.org),"
                    + " a wildcard (*.example.org) or an address ([2001:db8::1] for IPv6)");
        }
    }

    /** Reads what a user wrote: lower-cased, a trailing dot dropped. */
    public static HostPattern parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return new HostPattern(t);
    }

    /** {@code host}: lower case, without port or trailing dot. */
    public boolean matches(String host) {
        if (pattern.startsWith("*.")) {
            return host.length() > pattern.length() - 1 && host.endsWith(pattern.substring(1));
        }
        return pattern.equals(host);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
