package org.dicomlb.tls;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The names in the certificate a TLS peer presented (and the handshake verified against the
 * configured CA): the subject, its common name, and the DNS, e-mail and URI subject alternative
 * names. What a certificate-to-AE binding matches.
 */
public record PeerIdentity(String subject, Optional<String> commonName, List<String> dns, List<String> emails,
                           List<String> uris) {
    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    public PeerIdentity {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(commonName, "commonName");
        dns = List.copyOf(dns);
        emails = List.copyOf(emails);
        uris = List.copyOf(uris);
    }

    /** The verified peer of a finished handshake, or empty when it presented no certificate. */
    public static Optional<PeerIdentity> of(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? Optional.of(of(x)) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    public static PeerIdentity of(X509Certificate c) {
        String subject = c.getSubjectX500Principal().getName();
        Optional<String> cn = Optional.empty();
        try {
            List<Rdn> rdns = new LdapName(subject).getRdns();
            // LdapName lists the most significant RDN first; the CN of the leaf is the last one.
            for (Rdn rdn : rdns) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // a subject the JDK printed but cannot parse back: no CN to offer
        }
        List<String> dns = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() < 2 || !(san.get(0) instanceof Integer type) || !(san.get(1) instanceof String value)) {
                        continue;
                    }
                    switch (type) {
                        case SAN_DNS -> dns.add(value);
                        case SAN_EMAIL -> emails.add(value);
                        case SAN_URI -> uris.add(value);
                        default -> {
                            // IP addresses and other names are not used for AE bindings
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // unreadable extension: only the subject is offered
        }
        return new PeerIdentity(subject, cn, dns, emails, uris);
    }

    /** A short name for logs: the CN, else the first DNS, e-mail or URI name, else the subject. */
    public String label() {
        return commonName.or(() -> dns.stream().findFirst()).or(() -> emails.stream().findFirst())
                .or(() -> uris.stream().findFirst()).orElse(subject);
    }

    /** Every name, for an operator reading why a binding did not match. */
    public String describe() {
        StringBuilder b = new StringBuilder(subject);
        dns.forEach(d -> b.append(", DNS:").append(d));
        emails.forEach(e -> b.append(", email:").append(e));
        uris.forEach(u -> b.append(", URI:").append(u));
        return b.toString();
    }
}
