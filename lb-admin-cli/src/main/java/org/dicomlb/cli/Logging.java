package org.dicomlb.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Routes the access log to a file instead of stdout. */
final class Logging {
    private Logging() {
    }

    static void accessLogTo(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%msg%n");
        enc.start();
        FileAppender<ILoggingEvent> fa = new FileAppender<>();
        fa.setContext(ctx);
        fa.setName("ACCESS_FILE");
        fa.setFile(file.toString());
        fa.setAppend(true);
        fa.setEncoder(enc);
        fa.start();
        AsyncAppender async = new AsyncAppender();
        async.setContext(ctx);
        async.setName("ACCESS");
        async.setQueueSize(16384);
        async.setDiscardingThreshold(0);
        async.addAppender(fa);
        async.start();
        Logger access = ctx.getLogger("dicomlb.access");
        access.detachAndStopAllAppenders();
        access.addAppender(async);
        access.setAdditive(false);
        access.setLevel(ch.qos.logback.classic.Level.INFO);
    }

    /** Flushes queued log lines (before exit). */
    static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.stop();
        }
    }
}
