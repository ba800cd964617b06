package org.dicomlb.engine.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How an http listener keeps a client on the backend it had: not at all, by the client's address
 * ({@code source}: a rendezvous hash, whatever the pool's balance), or by a cookie naming the
 * backend without revealing its address. When that backend is not eligible (down, drained, in
 * maintenance, full) the request is balanced as usual, and with a cookie the client is moved.
 */
public sealed interface Persistence {
    None NONE = new None();

    /** As configuration files spell it. */
    String label();

    record None() implements Persistence {
        @Override
        public String label() {
            return "none";
        }
    }

    record Source() implements Persistence {
        @Override
        public String label() {
            return "source";
        }
    }

    /**
     * @param name   the cookie's name
     * @param secret the key its values are made with
     * @param maxAge how long the browser keeps it; empty: until the browser closes
     */
    record Cookie(String name, CookieSecret secret, Optional<Duration> maxAge) implements Persistence {
        public static final String DEFAULT_NAME = "DICOMLB";

        public Cookie {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(secret, "secret");
            Objects.requireNonNull(maxAge, "maxAge");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("the cookie name may not be empty");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
                if (!token) {
                    throw new IllegalArgumentException("cookie name '" + name + "' may hold letters, digits and !#$%&'*+-.^_`|~ only");
                }
            }
            maxAge.ifPresent(a -> {
                if (a.isNegative() || a.isZero()) {
                    throw new IllegalArgumentException("max-age must be positive");
                }
            });
        }

        @Override
        public String label() {
            return "cookie";
        }
    }
}
