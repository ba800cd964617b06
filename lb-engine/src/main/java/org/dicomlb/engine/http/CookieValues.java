package org.dicomlb.engine.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.dicomlb.engine.config.CookieSecret;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Pool;

/**
 * The value of the persistence cookie for each backend: the first 96 bits of
 * HMAC-SHA256(secret, "pool/backend") in URL-safe base64 (16 characters). It names the backend
 * without revealing its address or name; with the same secret file both appliances of a pair and
 * every restart give the same value. Values are computed once per secret and backend name and
 * kept (a few dozen bytes per backend ever configured).
 */
final class CookieValues {
    private static final int VALUE_BYTES = 12;

    private final Map<CookieSecret, Map<String, String>> values = new ConcurrentHashMap<>();

    /** The cookie value that names {@code backend}. Any thread. */
    String of(CookieSecret secret, Backend backend) {
        return values.computeIfAbsent(secret, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(backend.id(), id -> hmac(secret, id));
    }

    /** The backend of {@code pool} that {@code value} names, or null (unknown, or a backend that left). */
    Backend find(CookieSecret secret, Pool pool, String value) {
        if (value.length() != 16) {
            return null;
        }
        for (Backend b : pool.backends()) {
            if (of(secret, b).equals(value)) {
                return b;
            }
        }
        return null;
    }

    static String hmac(CookieSecret secret, String id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.key(), "HmacSHA256"));
            byte[] h = mac.doFinal(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, VALUE_BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
