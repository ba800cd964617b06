package org.dicomlb.cli;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.dicomlb.tls.Pem;

/**
 * What the operator commands trust when they reach the admin API over https: a CA bundle (the
 * certificate must chain to it and name the host, as any https client checks), or the very
 * certificate the configuration file tells dicomlb to serve (pinned: it is trusted as itself, so
 * its names need not include 127.0.0.1 for {@code dicomlb status -c FILE} on the appliance).
 */
final class AdminTrust {
    private AdminTrust() {
    }

    /** Chain to {@code caFile} and check the host name (the JDK's https rules). */
    static SSLContext caBundle(Path caFile) {
        return context(trustManager(caFile, "--ca"));
    }

    /** Trust exactly the certificates in {@code certificateFile}; no host name check. */
    static SSLContext pinned(Path certificateFile) {
        X509TrustManager pkix = trustManager(certificateFile, "admin.tls.certificate");
        return context(new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                pkix.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                pkix.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                pkix.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException("not a server");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException("not a server");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("not a server");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return pkix.getAcceptedIssuers();
            }
        });
    }

    private static X509TrustManager trustManager(Path file, String what) {
        List<X509Certificate> certs;
        try {
            certs = Pem.certificates(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < certs.size(); i++) {
                ks.setCertificateEntry("trusted-" + i, certs.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException(what + ": cannot trust the certificates in " + file + ": " + e.getMessage());
        }
    }

    private static SSLContext context(TrustManager tm) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {tm}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS client context", e);
        }
    }
}
