package org.dicomlb.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.EngineException;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code dicomlb run} whose start is caught in the middle: once the appliance is up, but before
 * the start returns, the configuration file is replaced (args[1] copied over args[0]) and the
 * process sends itself SIGHUP. Used by {@link SignalWhileStartingTest} in a child process.
 */
public final class StartWithSighupMain {
    private StartWithSighupMain() {
    }

    public static void main(String[] args) {
        Path config = Path.of(args[0]);
        Path edit = Path.of(args[1]);
        RunCommand.RuntimeOptions runtime = new RunCommand.RuntimeOptions();
        runtime.accessLog = Path.of(args[2]);
        runtime.shutdownGrace = "1s";
        runtime.transport = RunCommand.RuntimeOptions.TransportChoice.epoll;
        runtime.runtimeDir = Path.of(args[3]);
        CommandLine.Model.CommandSpec spec = new CommandLine(new RunCommand()).getCommandSpec();
        int exit = RunCommand.runUntilSignalled(spec, runtime, accessLog -> {
            try {
                Appliance app = Appliance.start(config, RootConfigReader.load(config), runtime.options(), accessLog);
                Files.copy(edit, config, StandardCopyOption.REPLACE_EXISTING);
                Signal.raise(new Signal("HUP"));
                // The handler runs on the JVM's signal thread: let it run before the start ends.
                Thread.sleep(500);
                return app;
            } catch (Exception e) {
                throw new EngineException("test start: " + e);
            }
        });
        System.exit(exit);
    }
}
