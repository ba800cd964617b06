package org.dicomlb.harness.bench.proxy;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS on the proxies' listening side for a route: both terminate TLS with the same certificate
 * and key, and clients trust {@code ca}.
 *
 * @param chain    PEM certificate chain (dicomlb's {@code tls.certificate})
 * @param key      PEM PKCS#8 key (dicomlb's {@code tls.key})
 * @param combined chain and key in one PEM file (HAProxy's {@code crt})
 * @param ca       the CA clients verify the certificate with
 */
public record FrontTls(Path chain, Path key, Path combined, Path ca) {
    public FrontTls {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(combined, "combined");
        Objects.requireNonNull(ca, "ca");
    }
}
