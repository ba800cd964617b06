package org.dicomlb.engine.access;

import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the one-line-per-connection access log goes. The line's format is ours
 * ({@link ConnectionRecord#format()}, documented in docs/access-log.md); the sink is chosen by
 * the composition root: by default the {@code dicomlb.access} SLF4J logger (what embedded uses
 * and tests see), for {@code dicomlb run} an {@link AccessLogWriter} on stdout or a file, which
 * costs an event loop one queue offer per line instead of a logging framework's locks.
 */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("dicomlb.access");
    private static final Consumer<String> TO_SLF4J = line -> {
        if (LOG.isInfoEnabled()) {
            LOG.info(line);
        }
    };
    private static volatile Consumer<String> sink = TO_SLF4J;

    private AccessLog() {
    }

    /** Called once per connection, on its event loop, when it has ended. */
    public static void write(ConnectionRecord record) {
        sink.accept(record.format());
    }

    /** Sends lines to {@code s} from now on (it must be thread-safe and must not block). */
    public static void sendTo(Consumer<String> s) {
        sink = Objects.requireNonNull(s, "sink");
    }

    /** Back to the SLF4J logger. */
    public static void sendToLogger() {
        sink = TO_SLF4J;
    }
}
