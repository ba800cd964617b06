package org.dicomlb.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS on a listening socket: our certificate chain and key, and optionally the CA bundle client
 * certificates are checked against. Built by {@link #load} from PEM files, which are read and
 * checked there (validation and every reload), so a running listener only ever gets a context
 * that was complete and consistent when its configuration was applied. Compares by content.
 *
 * @param certificate      PEM chain: our certificate first, then intermediates
 * @param key              PEM PKCS#8 private key of the first certificate
 * @param clientCa         PEM CA certificates that issue client certificates
 * @param clientAuth       whether clients are asked for a certificate
 * @param handshakeTimeout how long a client may take to complete the handshake
 */
public record ServerTls(Path certificate, Path key, Optional<Path> clientCa, ClientAuth clientAuth,
                        Duration handshakeTimeout, Material material) {
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    public ServerTls {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(clientCa, "clientCa");
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(material, "material");
        if (clientAuth != ClientAuth.NONE && clientCa.isEmpty()) {
            throw new IllegalArgumentException("client-auth " + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs client-ca (the CA bundle client certificates are checked against)");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake-timeout must be positive");
        }
    }

    /** Reads and checks the files and builds the context. */
    public static ServerTls load(Path certificate, Path key, Optional<Path> clientCa, ClientAuth clientAuth,
                                 Duration handshakeTimeout) throws TlsFileException {
        List<X509Certificate> chain;
        PrivateKey privateKey;
        try {
            chain = Pem.certificates(certificate);
            Pem.checkValidNow(chain.getFirst(), certificate);
        } catch (IllegalArgumentException e) {
            throw new TlsFileException("certificate", e.getMessage());
        }
        try {
            privateKey = Pem.privateKey(key);
            Pem.checkPair(privateKey, chain.getFirst(), key, certificate);
        } catch (IllegalArgumentException e) {
            throw new TlsFileException("key", e.getMessage());
        }
        List<X509Certificate> trusted = List.of();
        if (clientCa.isPresent()) {
            try {
                trusted = Pem.certificates(clientCa.get());
            } catch (IllegalArgumentException e) {
                throw new TlsFileException("client-ca", e.getMessage());
            }
        }
        SslContextBuilder b = SslContextBuilder.forServer(privateKey, chain.toArray(X509Certificate[]::new))
                .sslProvider(SslProvider.JDK)
                .protocols(TlsProfile.PROTOCOLS)
                .ciphers(TlsProfile.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .clientAuth(switch (clientAuth) {
                    case NONE -> io.netty.handler.ssl.ClientAuth.NONE;
                    case OPTIONAL -> io.netty.handler.ssl.ClientAuth.OPTIONAL;
                    case REQUIRED -> io.netty.handler.ssl.ClientAuth.REQUIRE;
                });
        if (!trusted.isEmpty()) {
            b.trustManager(trusted.toArray(X509Certificate[]::new));
        }
        SslContext context;
        try {
            context = b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsFileException("certificate", "cannot build a TLS context from " + certificate + " and " + key
                    + ": " + Pem.rootCause(e));
        }
        Fingerprint fp = Fingerprint.of("server " + clientAuth, chain, privateKey, trusted);
        return new ServerTls(certificate, key, clientCa, clientAuth, handshakeTimeout, new Material(context, fp, chain.getFirst()));
    }

    /** A handler for one accepted connection: the profile applied, the handshake bounded. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return newHandler(alloc, List.of());
    }

    /**
     * A handler for one accepted connection that also negotiates the application protocol (ALPN,
     * RFC 7301) from {@code applicationProtocols}, in our order of preference ({@code h2},
     * {@code http/1.1}): the server's order decides, and a client that offers none of them is
     * refused with the no_application_protocol alert. A client that does not use ALPN at all is
     * accepted, and {@link TlsChannels#applicationProtocol} is then empty. The protocol is set on
     * the engine, so the same context serves listeners with and without ALPN.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, List<String> applicationProtocols) {
        SSLEngine engine = TlsProfile.apply(material.context().newEngine(alloc));
        if (!applicationProtocols.isEmpty()) {
            SSLParameters p = engine.getSSLParameters();
            p.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
            engine.setSSLParameters(p);
        }
        SslHandler h = new SslHandler(engine);
        h.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return h;
    }

    /** Whether clients present certificates at all (so a certificate-to-AE binding can work). */
    public boolean asksForClientCertificates() {
        return clientAuth != ClientAuth.NONE;
    }
}
