package org.dicomlb.engine.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Header changes applied to a request on its way to the backend, or to a response on its way to
 * the client, in this order: {@code remove} every field with one of these names, {@code set}
 * each field (replacing any of that name), {@code add} each field (beside any of that name).
 */
public record HeaderRules(List<String> remove, List<Header> set, List<Header> add) {
    public static final HeaderRules NONE = new HeaderRules(List.of(), List.of(), List.of());

    public HeaderRules {
        remove = remove.stream().map(HeaderRules::checkName).toList();
        set = List.copyOf(set);
        add = List.copyOf(add);
    }

    public boolean isEmpty() {
        return remove.isEmpty() && set.isEmpty() && add.isEmpty();
    }

    /** One header field; the name is a token (RFC 9110), the value has no control characters. */
    public record Header(String name, String value) {
        public Header {
            name = checkName(name);
            Objects.requireNonNull(value, "value");
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                    throw new IllegalArgumentException("the value of header '" + name
                            + "' may not contain control characters or characters beyond Latin-1");
                }
            }
            value = value.strip();
        }
    }

    /** A field name: letters, digits and {@code !#$%&'*+-.^_`|~}, at least one. */
    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.strip();
        if (n.isEmpty()) {
            throw new IllegalArgumentException("a header name may not be empty");
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                throw new IllegalArgumentException("'" + n + "' is not a header name (letters, digits and !#$%&'*+-.^_`|~)");
            }
        }
        return n.toLowerCase(Locale.ROOT);
    }
}
