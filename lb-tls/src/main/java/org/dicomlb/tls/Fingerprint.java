package org.dicomlb.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What a built TLS context was made from, as a SHA-256 digest of the certificates, the key and
 * the settings. Two contexts from the same files compare equal, so a reload that re-reads
 * unchanged files changes nothing, and one that reads a renewed certificate is a change.
 */
final class Fingerprint {
    private final byte[] digest;

    private Fingerprint(byte[] digest) {
        this.digest = digest;
    }

    static Fingerprint of(String settings, List<X509Certificate> certificates, PrivateKey key, List<X509Certificate> trusted) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(settings.getBytes(StandardCharsets.UTF_8));
            for (X509Certificate c : certificates) {
                md.update((byte) 1);
                md.update(c.getEncoded());
            }
            if (key != null) {
                md.update((byte) 2);
                md.update(key.getEncoded());
            }
            for (X509Certificate c : trusted) {
                md.update((byte) 3);
                md.update(c.getEncoded());
            }
            return new Fingerprint(md.digest());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint TLS material", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && MessageDigest.isEqual(digest, f.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(digest, 0, 8);
    }
}
