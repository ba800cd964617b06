package org.dicomlb.cli.config;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin HTTP listener: {@code /metrics}, {@code /healthz} and the {@code /api/v1} API.
 *
 * @param token the admin token read from {@code token-file} when the file was read; every
 *              {@code /api/} request must then carry {@code Authorization: Bearer <token>}
 */
public record AdminConfig(InetSocketAddress listen, Optional<java.nio.file.Path> tokenFile, Optional<String> token) {
    /** Shorter tokens are refused: a guessable token guards reload and drain of patient traffic. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(token, "token");
        if (tokenFile.isPresent() != token.isPresent()) {
            throw new IllegalArgumentException("a token file goes with its token");
        }
    }
}
