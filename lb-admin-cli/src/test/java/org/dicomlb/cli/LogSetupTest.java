package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogSetupTest {
    private final LoggerContext context = new LoggerContext();

    @AfterEach
    void stop() {
        System.clearProperty(LogSetup.FORCE);
        context.stop();
    }

    @Test
    void logbackFindsItAsAService() {
        assertThat(ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream().map(p -> p.type().getName()))
                .contains(LogSetup.class.getName());
    }

    @Test
    void stepsAsideForTheLogbackFileOnATestClassPath() {
        LogSetup setup = new LogSetup();
        setup.setContext(context);

        assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    }

    @Test
    void theApplianceLogsToStderrAndTheAccessLoggerToStdoutEachThroughABoundedQueue() {
        System.setProperty(LogSetup.FORCE, "appliance");
        LogSetup setup = new LogSetup();
        setup.setContext(context);

        assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        AsyncAppender log = (AsyncAppender) root.getAppender("ASYNC_STDERR");
        assertThat(log.getQueueSize()).isEqualTo(LogSetup.LOG_QUEUE);
        assertThat(log.getDiscardingThreshold()).as("never discards by level").isZero();
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) log.getAppender("STDERR");
        assertThat(stderr.getTarget()).isEqualTo("System.err");
        assertThat(((PatternLayoutEncoder) stderr.getEncoder()).getPattern()).isEqualTo(LogSetup.PATTERN);

        Logger access = context.getLogger("dicomlb.access");
        assertThat(access.isAdditive()).as("access lines do not also go to the operational log").isFalse();
        AsyncAppender accessQueue = (AsyncAppender) access.getAppender("ACCESS");
        assertThat(accessQueue.getQueueSize()).isEqualTo(LogSetup.ACCESS_QUEUE);
        ConsoleAppender<ILoggingEvent> stdout = (ConsoleAppender<ILoggingEvent>) accessQueue.getAppender("ACCESS_STDOUT");
        assertThat(stdout.getTarget()).isEqualTo("System.out");
        assertThat(((PatternLayoutEncoder) stdout.getEncoder()).getPattern()).isEqualTo("%msg%n");

        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        assertThat(log.isStarted() && accessQueue.isStarted() && stderr.isStarted() && stdout.isStarted()).isTrue();
    }

    @Test
    void theLevelComesFromDicomlbLogLevelInAnyCaseAndAWrongNameFallsBackToInfo() {
        assertThat(LogSetup.level(null)).isEqualTo(Level.INFO);
        assertThat(LogSetup.level(" ")).isEqualTo(Level.INFO);
        assertThat(LogSetup.level("debug")).isEqualTo(Level.DEBUG);
        assertThat(LogSetup.level("WARN ")).isEqualTo(Level.WARN);
        assertThat(LogSetup.level("verbose")).isEqualTo(Level.INFO);
    }
}
