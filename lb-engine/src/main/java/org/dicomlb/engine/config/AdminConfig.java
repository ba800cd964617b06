package org.dicomlb.engine.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin HTTP listener: {@code /metrics}, {@code /healthz} and the {@code /api/v1} API. With a
 * token file, every {@code /api/} request must carry {@code Authorization: Bearer <token>}.
 */
public record AdminConfig(InetSocketAddress listen, Optional<Path> tokenFile) {
    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
    }
}
