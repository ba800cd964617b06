package org.dicomlb.engine.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The key persistence cookies are made with: the contents of a {@code secret-file} (the same file
 * on both appliances of a pair, so a client keeps its backend across a failover), or, without
 * one, a fixed key. Either way the cookie names a backend by an HMAC of {@code pool/backend},
 * never by its address. Compares by content, never prints the key.
 */
public final class CookieSecret {
    /** The key without a secret file: values are then stable but computable from the names. */
    public static final CookieSecret BUILT_IN = new CookieSecret(Optional.empty(),
            "dicomlb persistence cookie".getBytes(StandardCharsets.US_ASCII));
    public static final int MIN_BYTES = 16;

    private final Optional<Path> file;
    private final byte[] key;

    public CookieSecret(Optional<Path> file, byte[] key) {
        this.file = Objects.requireNonNull(file, "file");
        this.key = key.clone();
        if (file.isPresent() && key.length < MIN_BYTES) {
            throw new IllegalArgumentException("the cookie secret must be at least " + MIN_BYTES + " octets");
        }
    }

    public Optional<Path> file() {
        return file;
    }

    public byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CookieSecret c && file.equals(c.file) && MessageDigest.isEqual(key, c.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return file.map(f -> "secret from " + f + " (" + key.length + " octets)").orElse("built-in secret");
    }
}
