package org.dicomlb.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Logging backend housekeeping. */
final class Logging {
    private Logging() {
    }

    /** Flushes queued log lines (before exit). */
    static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.stop();
        }
    }
}
