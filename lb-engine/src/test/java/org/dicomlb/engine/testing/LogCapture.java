package org.dicomlb.engine.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Captures what one logger (and its children) writes while the capture is open. Event loops
 * append while the test thread reads, so events go into a concurrent list (logback's own
 * {@code ListAppender} uses a plain ArrayList and fails a reader with ConcurrentModification).
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            events.add(e);
        }
    };

    /** @param level the least level to capture; the logger is set to it while the capture is open */
    public LogCapture(String loggerName, Level level) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        previous = logger.getLevel();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(level);
    }

    /** The access log ({@code dicomlb.access}): one line per connection or association. */
    public static LogCapture accessLog() {
        return new LogCapture("dicomlb.access", Level.INFO);
    }

    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** The formatted messages, oldest first. */
    public List<String> lines() {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previous);
    }
}
