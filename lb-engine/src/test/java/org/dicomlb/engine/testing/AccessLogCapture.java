package org.dicomlb.engine.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures access-log lines written while it is open. */
public final class AccessLogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("dicomlb.access");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level previous;

    public AccessLogCapture() {
        previous = logger.getLevel();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
    }

    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previous);
    }
}
