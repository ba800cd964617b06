package org.dicomlb.engine.access;

import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the one-line-per-connection access log goes. The line's format is ours
 * ({@link ConnectionRecord#format()}, documented in docs/access-log.md); the sink is chosen by
 * the composition root and handed to the engine: for {@code dicomlb run} an
 * {@link AccessLogWriter} on stdout or a file, which costs an event loop the line's bytes copied
 * into a buffer of its own instead of a logging framework's locks; elsewhere (tests, tools) the
 * {@code dicomlb.access} SLF4J logger.
 */
@FunctionalInterface
public interface AccessLog {
    /** Called once per connection, on its event loop, when it has ended; must not block. */
    void write(ConnectionRecord record);

    /** Lines to the {@code dicomlb.access} SLF4J logger. */
    static AccessLog toLogger() {
        Logger log = LoggerFactory.getLogger("dicomlb.access");
        return record -> {
            if (log.isInfoEnabled()) {
                log.info(record.format());
            }
        };
    }

    /** Lines as text to {@code sink} (thread-safe, non-blocking), such as a test's list. */
    static AccessLog to(Consumer<String> sink) {
        Objects.requireNonNull(sink, "sink");
        return record -> sink.accept(record.format());
    }
}
