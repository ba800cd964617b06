package org.dicomlb.engine.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.dicomlb.tls.PeerIdentity;

/**
 * One rule of a dicom listener's {@code certificate-bindings}: clients whose TLS certificate
 * carries a name matching {@code pattern} (in the certificate field {@code field}) may call with
 * the AE titles {@code callingAes}.
 *
 * @param pattern a name or a glob ({@code *} any run, {@code ?} one character); DNS names and
 *                e-mail addresses match without regard to case, CN and URI exactly
 */
public record CertificateBinding(Field field, String pattern, List<AePattern> callingAes) {
    /** The certificate field a rule matches. */
    public enum Field {
        /** the subject's common name */
        CN,
        /** a DNS subject alternative name */
        DNS,
        /** an e-mail (rfc822Name) subject alternative name */
        EMAIL,
        /** a URI subject alternative name */
        URI;

        /** As the configuration spells it. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public CertificateBinding {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(pattern, "pattern");
        pattern = pattern.strip();
        callingAes = List.copyOf(callingAes);
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("a certificate name pattern must not be empty");
        }
        if (callingAes.isEmpty()) {
            throw new IllegalArgumentException("a certificate binding needs at least one calling-ae");
        }
    }

    /** Whether this rule names the certificate {@code peer}. */
    public boolean names(PeerIdentity peer) {
        return switch (field) {
            case CN -> peer.commonName().filter(cn -> Glob.matches(pattern, cn, false)).isPresent();
            case DNS -> peer.dns().stream().anyMatch(n -> Glob.matches(pattern, n, true));
            case EMAIL -> peer.emails().stream().anyMatch(n -> Glob.matches(pattern, n, true));
            case URI -> peer.uris().stream().anyMatch(n -> Glob.matches(pattern, n, false));
        };
    }

    /** Whether this rule lets the certificate {@code peer} call as {@code callingAe}. */
    public boolean allows(PeerIdentity peer, String callingAe) {
        return names(peer) && callingAes.stream().anyMatch(p -> p.matches(callingAe));
    }

    /** Glob matching over names: {@code *} any run of characters, {@code ?} one; linear, never exponential. */
    static final class Glob {
        private Glob() {
        }

        static boolean matches(String pattern, String text, boolean ignoreCase) {
            String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
            String t = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
            int pi = 0;
            int ti = 0;
            int star = -1;
            int resume = 0;
            while (ti < t.length()) {
                if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == t.charAt(ti))) {
                    pi++;
                    ti++;
                } else if (pi < p.length() && p.charAt(pi) == '*') {
                    star = pi++;
                    resume = ti;
                } else if (star >= 0) {
                    pi = star + 1;
                    ti = ++resume;
                } else {
                    return false;
                }
            }
            while (pi < p.length() && p.charAt(pi) == '*') {
                pi++;
            }
            return pi == p.length();
        }
    }
}
