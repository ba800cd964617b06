package org.dicomlb.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * TLS towards a server (a pool's backends): the CA bundle its certificate must chain to (the
 * JVM's default trust store when none is given), whether its name is checked, and optionally our
 * own client certificate. Built by {@link #load}; compares by content.
 *
 * @param ca          PEM CA certificates the server's certificate must chain to; empty: the JVM's trust store
 * @param verifyName  check the server's certificate names the server: {@code serverName} when
 *                    given, else the IP address dialed (which must then be an IP SAN)
 * @param serverName  the name to send (SNI) and check instead of the address
 * @param certificate our client certificate chain, when the server asks for one
 * @param key         its PKCS#8 private key
 */
public record ClientTls(Optional<Path> ca, boolean verifyName, Optional<String> serverName, Optional<Path> certificate,
                        Optional<Path> key, Material material) {
    public ClientTls {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(material, "material");
        if (certificate.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
        }
    }

    /** Reads and checks the files and builds the context with the {@linkplain TlsProvider#preferred preferred provider}. */
    public static ClientTls load(Optional<Path> ca, boolean verifyName, Optional<String> serverName,
                                 Optional<Path> certificate, Optional<Path> key) throws TlsFileException {
        return load(ca, verifyName, serverName, certificate, key, TlsProvider.preferred());
    }

    /**
     * Reads and checks the files and builds the context with {@code provider}. Sessions are
     * cached per server (name or address, and port) and resumed on the next connection to it.
     */
    public static ClientTls load(Optional<Path> ca, boolean verifyName, Optional<String> serverName,
                                 Optional<Path> certificate, Optional<Path> key, TlsProvider provider) throws TlsFileException {
        List<X509Certificate> trusted = List.of();
        if (ca.isPresent()) {
            try {
                trusted = Pem.certificates(ca.get());
            } catch (IllegalArgumentException e) {
                throw new TlsFileException("ca", e.getMessage());
            }
        }
        List<X509Certificate> chain = List.of();
        PrivateKey privateKey = null;
        if (certificate.isPresent() && key.isPresent()) {
            try {
                chain = Pem.certificates(certificate.get());
                Pem.checkValidNow(chain.getFirst(), certificate.get());
            } catch (IllegalArgumentException e) {
                throw new TlsFileException("certificate", e.getMessage());
            }
            try {
                privateKey = Pem.privateKey(key.get());
                Pem.checkPair(privateKey, chain.getFirst(), key.get(), certificate.get());
            } catch (IllegalArgumentException e) {
                throw new TlsFileException("key", e.getMessage());
            }
        }
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(provider.netty())
                .protocols(TlsProfile.PROTOCOLS)
                .ciphers(TlsProfile.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .endpointIdentificationAlgorithm(verifyName ? "HTTPS" : null);
        if (!trusted.isEmpty()) {
            b.trustManager(trusted.toArray(X509Certificate[]::new));
        }
        if (privateKey != null) {
            b.keyManager(privateKey, chain.toArray(X509Certificate[]::new));
        }
        SslContext context;
        try {
            context = b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsFileException(ca.isPresent() ? "ca" : "certificate", "cannot build a TLS context: " + Pem.rootCause(e));
        }
        Fingerprint fp = Fingerprint.of("client " + verifyName + " " + serverName.orElse(""), chain, privateKey, trusted);
        return new ClientTls(ca, verifyName, serverName, certificate, key,
                new Material(context, provider, fp, chain.isEmpty() ? null : chain.getFirst(), alpn -> context));
    }

    /**
     * A handler for one connection to {@code server}: the profile applied, the server's
     * certificate checked against {@code serverName} or the address, the handshake bounded.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, InetSocketAddress server, Duration handshakeTimeout) {
        String peer = serverName.orElse(server.getAddress().getHostAddress());
        SslHandler h = new SslHandler(TlsProfile.apply(material.context().newEngine(alloc, peer, server.getPort())));
        h.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeout.toMillis()));
        return h;
    }
}
