package org.dicomlb.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The appliance's logging, set up in code when logback starts (found through
 * {@code META-INF/services}): the operational log on stderr and the {@code dicomlb.access}
 * logger on stdout, each through a bounded queue drained by its own thread, so an event loop
 * never waits for a terminal. {@code dicomlb run} writes the access log with its own writer;
 * the logger only carries it when the engine runs without that writer.
 *
 * <p>Code rather than a logback.xml: reading XML loads logback's configuration framework and the
 * JDK's XML parser. Without it a start loads 470 classes fewer, listens about 0.12 s sooner
 * (0.89 against 1.01 s) and idles 3 MiB smaller (docs/benchmarks.md).
 *
 * <p>Steps aside for an explicit configuration: the {@code logback.configurationFile} system
 * property, or a logback-test.xml or logback.xml on the class path (test and embedding class
 * paths have one). {@code -Ddicomlb.logging=appliance} insists on this setup anyway, for
 * tests that run the appliance from a test class path and read its log.
 *
 * <p>{@code DICOMLB_LOG_LEVEL} (environment, or the system property of that name) sets the
 * level, INFO by default; a value that is not a level is reported on stderr and INFO is used.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** System property: {@code appliance} applies this setup even when a logback file is on the class path. */
    public static final String FORCE = "dicomlb.logging";
    static final String LEVEL = "DICOMLB_LOG_LEVEL";
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{1} - %msg%n";
    static final int LOG_QUEUE = 4096;
    static final int ACCESS_QUEUE = 16384;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!"appliance".equals(System.getProperty(FORCE)) && explicitConfiguration()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Appender<ILoggingEvent> stderr = queued(context, "ASYNC_STDERR", LOG_QUEUE, console(context, "STDERR", "System.err", PATTERN));
        Appender<ILoggingEvent> access = queued(context, "ACCESS", ACCESS_QUEUE, console(context, "ACCESS_STDOUT", "System.out", "%msg%n"));

        Logger accessLogger = context.getLogger("dicomlb.access");
        accessLogger.setLevel(Level.INFO);
        accessLogger.setAdditive(false);
        accessLogger.addAppender(access);
        context.getLogger("io.netty").setLevel(Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level(setting(LEVEL)));
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static boolean explicitConfiguration() {
        if (System.getProperty("logback.configurationFile") != null) {
            return true;
        }
        ClassLoader loader = LogSetup.class.getClassLoader();
        return loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
    }

    private static String setting(String name) {
        String value = System.getProperty(name);
        return value != null ? value : System.getenv(name);
    }

    /** The level named by {@code value} (any case), INFO when unset; a wrong name says so on stderr. */
    static Level level(String value) {
        if (value == null || value.isBlank()) {
            return Level.INFO;
        }
        // logback's own parsing: trims, and ignores case.
        Level level = Level.toLevel(value, null);
        if (level == null) {
            System.err.println("dicomlb: " + LEVEL + "=" + value + " is not a log level (TRACE, DEBUG, INFO, WARN, ERROR, OFF); using INFO");
            return Level.INFO;
        }
        return level;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, String target, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(name);
        console.setTarget(target);
        console.setEncoder(encoder);
        console.start();
        return console;
    }

    /** A bounded queue in front of {@code out} that never discards by level (discardingThreshold 0). */
    private static AsyncAppender queued(LoggerContext context, String name, int size, Appender<ILoggingEvent> out) {
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName(name);
        async.setQueueSize(size);
        async.setDiscardingThreshold(0);
        async.addAppender(out);
        async.start();
        return async;
    }
}
