package org.dicomlb.tls;

import io.netty.handler.ssl.SslContext;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A TLS context built from files, with what it was built from. Equal when built from the same
 * certificates, key, trust anchors and settings (see {@link Fingerprint}), whatever the context
 * object: configuration records holding one compare by content.
 *
 * <p>The OpenSSL provider fixes the ALPN protocols in the context, not per engine: a listener
 * that negotiates an application protocol gets a sibling context built from the same inputs
 * with its protocol list, made at first use and kept for the life of this material (a listener
 * has one list, so there are at most two contexts per material).
 */
public final class Material {
    private final SslContext context;
    private final TlsProvider provider;
    private final Fingerprint fingerprint;
    private final X509Certificate leaf;
    private final Function<List<String>, SslContext> withProtocols;
    private final Map<List<String>, SslContext> byProtocols = new ConcurrentHashMap<>();

    Material(SslContext context, TlsProvider provider, Fingerprint fingerprint, X509Certificate leaf,
             Function<List<String>, SslContext> withProtocols) {
        this.context = Objects.requireNonNull(context, "context");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        this.leaf = leaf;
        this.withProtocols = Objects.requireNonNull(withProtocols, "withProtocols");
    }

    public SslContext context() {
        return context;
    }

    /**
     * The context that negotiates {@code applicationProtocols} by ALPN (the plain one when the
     * list is empty).
     */
    public SslContext context(List<String> applicationProtocols) {
        return applicationProtocols.isEmpty() ? context
                : byProtocols.computeIfAbsent(List.copyOf(applicationProtocols), withProtocols);
    }

    /** The implementation that does the cryptography of this context. */
    public TlsProvider provider() {
        return provider;
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
        return o instanceof Material m && fingerprint.equals(m.fingerprint) && provider == m.provider;
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode() * 31 + provider.hashCode();
    }

    @Override
    public String toString() {
        return "tls " + fingerprint + " " + provider + (leaf == null ? "" : " " + Pem.subject(leaf));
    }
}
