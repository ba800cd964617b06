package org.dicomlb.tls;

import io.netty.handler.ssl.SslContext;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A TLS context built from files, with what it was built from. Equal when built from the same
 * certificates, key, trust anchors and settings (see {@link Fingerprint}), whatever the context
 * object: configuration records holding one compare by content.
 */
public final class Material {
    private final SslContext context;
    private final Fingerprint fingerprint;
    private final X509Certificate leaf;

    Material(SslContext context, Fingerprint fingerprint, X509Certificate leaf) {
        this.context = Objects.requireNonNull(context, "context");
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        this.leaf = leaf;
    }

    public SslContext context() {
        return context;
    }

    /** Our own certificate, when this side presents one. */
    public Optional<X509Certificate> certificate() {
        return Optional.ofNullable(leaf);
    }

    /** When our own certificate stops being valid, when this side presents one. */
    public Optional<Instant> notAfter() {
        return certificate().map(c -> c.getNotAfter().toInstant());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Material m && fingerprint.equals(m.fingerprint);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public String toString() {
        return "tls " + fingerprint + (leaf == null ? "" : " " + Pem.subject(leaf));
    }
}
