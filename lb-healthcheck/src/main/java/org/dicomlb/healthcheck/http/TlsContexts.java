package org.dicomlb.healthcheck.http;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLException;

/**
 * The two client TLS contexts http checks use, built once on first use: building one loads the
 * trust store, which is far too slow to repeat per probe.
 */
public final class TlsContexts {
    private SslContext verifying;
    private SslContext trusting;

    /**
     * {@code verify}: the JVM's default trust store (javax.net.ssl.trustStore) and HTTPS host name
     * checks. Otherwise any certificate is accepted: encryption without authentication.
     * Synchronized because checks of several targets may ask at once; it runs once per process
     * and never on an event loop's hot path.
     */
    public synchronized SslContext get(boolean verify) throws SSLException {
        if (verify) {
            if (verifying == null) {
                verifying = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
            }
            return verifying;
        }
        if (trusting == null) {
            trusting = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null).build();
        }
        return trusting;
    }
}
