package org.dicomlb.tls;

import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The DICOM secure-transport profile dicomlb implements on every TLS connection it makes or
 * accepts: PS3.15 annex B.12, the <em>BCP 195 RFC 8996, 9325 TLS Secure Transport Connection
 * Profile</em>. TLS 1.2 and 1.3 only (RFC 8996 retired 1.0 and 1.1); TLS 1.3 preferred; the
 * TLS 1.2 suites are the four RFC 9325 recommends (ephemeral ECDH, AES-GCM, SHA-2: forward
 * secrecy and AEAD only, no CBC, no static RSA, no finite-field DHE); ECDHE on curves of 256 bits
 * or more; no SHA-1 signatures.
 *
 * <p>Peers of the retired Non-downgrading BCP 195 profile (B.10, the default of DCMTK 3.6.7's
 * {@code +tls}) and of the Extended BCP 195 profile (B.11) negotiate with it through the
 * {@code TLS_ECDHE_RSA_WITH_AES_*_GCM_*} suites all of them share. The Modified profile (B.13)
 * additionally requires AES-CCM and Camellia suites, which the JDK does not implement, so dicomlb
 * does not claim it.
 *
 * <p>The cryptography is the JDK's; this class only restricts what SunJSSE offers.
 */
public final class TlsProfile {
    /** The profile's name as the documentation and logs give it. */
    public static final String NAME = "BCP 195 RFC 8996, 9325 TLS Secure Transport Connection Profile (PS3.15 B.12)";

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * Strongest first: a server chooses by its own order ({@link SSLParameters#setUseCipherSuitesOrder}),
     * as BCP 195 recommends, so a client offering everything gets AES-256 under TLS 1.2.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            // TLS 1.3
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            // TLS 1.2 (RFC 9325 section 4.2)
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    /** Key exchange groups: X25519 and the NIST curves of 256 and 384 bits. */
    public static final List<String> NAMED_GROUPS = List.of("x25519", "secp256r1", "secp384r1");

    /** Handshake signatures, SHA-256 or stronger (certificates signed with SHA-1 are refused too). */
    public static final List<String> SIGNATURE_SCHEMES = List.of(
            "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512", "ed25519",
            "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
            "rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512",
            "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512");

    private TlsProfile() {
    }

    /**
     * Restricts an engine Netty made (protocols and suites already set from the context) to the
     * profile's groups and signature schemes, with the server's suite order deciding.
     */
    public static SSLEngine apply(SSLEngine engine) {
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(PROTOCOLS.toArray(String[]::new));
        p.setCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        p.setNamedGroups(NAMED_GROUPS.toArray(String[]::new));
        p.setSignatureSchemes(SIGNATURE_SCHEMES.toArray(String[]::new));
        p.setUseCipherSuitesOrder(true);
        engine.setSSLParameters(p);
        return engine;
    }
}
