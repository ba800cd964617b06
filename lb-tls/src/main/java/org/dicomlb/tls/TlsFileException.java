package org.dicomlb.tls;

import java.util.Objects;

/**
 * A TLS file that cannot be used, naming the configuration key it came from ({@code certificate},
 * {@code key}, {@code client-ca} ...) so that validation reports it where the operator wrote it.
 */
public final class TlsFileException extends Exception {
    private final String key;

    public TlsFileException(String key, String message) {
        super(message);
        this.key = Objects.requireNonNull(key, "key");
    }

    /** The configuration key under {@code tls} that names the file. */
    public String key() {
        return key;
    }
}
