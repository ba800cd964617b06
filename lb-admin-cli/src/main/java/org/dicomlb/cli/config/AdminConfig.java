package org.dicomlb.cli.config;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.dicomlb.tls.ServerTls;

/**
 * The admin HTTP listener: {@code /metrics}, {@code /healthz} and the {@code /api/v1} API.
 *
 * @param token the admin token read from {@code token-file} when the file was read; every
 *              {@code /api/} request must then carry {@code Authorization: Bearer <token>}
 * @param tls   HTTPS on the admin listener
 */
public record AdminConfig(InetSocketAddress listen, Optional<java.nio.file.Path> tokenFile, Optional<String> token,
                          Optional<ServerTls> tls) {
    /** Shorter tokens are refused: a guessable token guards reload and drain of patient traffic. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(tls, "tls");
        if (tokenFile.isPresent() != token.isPresent()) {
            throw new IllegalArgumentException("a token file goes with its token");
        }
    }

    /** Without TLS. */
    public AdminConfig(InetSocketAddress listen, Optional<java.nio.file.Path> tokenFile, Optional<String> token) {
        this(listen, tokenFile, token, Optional.empty());
    }

    /** {@code https} or {@code http}. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }
}
