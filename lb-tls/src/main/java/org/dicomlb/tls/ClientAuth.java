package org.dicomlb.tls;

/** Whether a TLS server asks its clients for a certificate ({@code client-auth}). */
public enum ClientAuth {
    /** No client certificate is asked for. */
    NONE,
    /** Asked for; a client without one is accepted, one with an untrusted certificate is not. */
    OPTIONAL,
    /** A client without a certificate trusted by {@code client-ca} fails the handshake. */
    REQUIRED
}
