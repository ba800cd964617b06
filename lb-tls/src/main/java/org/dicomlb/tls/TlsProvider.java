package org.dicomlb.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which implementation does the TLS cryptography. {@link #OPENSSL} is BoringSSL through Netty's
 * OpenSSL provider (netty-tcnative, native code for x86-64 Linux, loaded at first use): a
 * handshake there costs a fraction of SunJSSE's. {@link #JDK} is SunJSSE, the fallback wherever
 * the native library cannot load (another platform, a temporary directory mounted noexec).
 * Both negotiate the same {@link TlsProfile}.
 */
public enum TlsProvider {
    OPENSSL(SslProvider.OPENSSL),
    JDK(SslProvider.JDK);

    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);

    private final SslProvider netty;

    TlsProvider(SslProvider netty) {
        this.netty = netty;
    }

    SslProvider netty() {
        return netty;
    }

    /**
     * OpenSSL when its native library loads, else the JDK. Decided once per process, at the
     * first TLS context, and logged then: INFO naming the provider, WARN with the reason when
     * the native library could not load.
     */
    public static TlsProvider preferred() {
        return Choice.PREFERRED;
    }

    /**
     * What {@link #preferred} chooses in this process, as one line and without logging it:
     * {@code OpenSSL (BoringSSL)}, or the JDK with the reason the native library did not load
     * ({@code dicomlb --version} prints it).
     */
    public static String summary() {
        if (OpenSsl.isAvailable()) {
            return OPENSSL.describe();
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return JDK.describe() + "; OpenSSL did not load: " + (cause == null ? "unknown reason" : Pem.rootCause(cause));
    }

    /** Whether this provider can build contexts in this process. */
    public boolean available() {
        return this == JDK || OpenSsl.isAvailable();
    }

    /** {@code OpenSSL (BoringSSL)} or {@code JDK (SunJSSE, Java 25.0.1)}: what the log and docs call it. */
    public String describe() {
        return switch (this) {
            case OPENSSL -> "OpenSSL (" + (OpenSsl.isAvailable() ? OpenSsl.versionString() : "not loaded") + ")";
            case JDK -> "JDK (SunJSSE, Java " + Runtime.version() + ")";
        };
    }

    /** The lazy holder, so the native library is loaded (and the choice logged) only when TLS is used. */
    private static final class Choice {
        static final TlsProvider PREFERRED = choose();

        private static TlsProvider choose() {
            if (OpenSsl.isAvailable()) {
                LOG.info("TLS provider: {}", OPENSSL.describe());
                return OPENSSL;
            }
            Throwable cause = OpenSsl.unavailabilityCause();
            LOG.warn("TLS provider: {}; the native OpenSSL provider did not load, handshakes cost several times more: {}",
                    JDK.describe(), cause == null ? "unknown reason" : Pem.rootCause(cause));
            return JDK;
        }
    }
}
