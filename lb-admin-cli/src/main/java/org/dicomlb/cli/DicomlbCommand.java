package org.dicomlb.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code dicomlb} command; every verb is its own class. */
@Command(name = "dicomlb",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "DICOM-aware load balancer for hospital imaging networks.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad input (config errors, bad arguments).",
                  "Documentation: README.md and docs/ in the source tree."},
        subcommands = {
            RunCommand.class,
            ValidateCommand.class,
            DemoCommand.class,
            StatusCommand.class,
            ConnectionsCommand.class,
            ReloadCommand.class,
            AdminStateCommand.Drain.class,
            AdminStateCommand.Ready.class,
            AdminStateCommand.Maint.class,
            VipCommand.class,
            GslbCommand.class,
            EchoCommand.class,
            RealserverSetupCommand.class,
            TransparentSetupCommand.class,
            CommandLine.HelpCommand.class
        })
public final class DicomlbCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try: dicomlb --help)");
    }

    /** The command line with dicomlb's exit-code and error conventions. */
    public static CommandLine commandLine() {
        return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    /** As {@link #commandLine()} with injectable streams, for tests. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new DicomlbCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("dicomlb: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return ExitCodes.FAILURE;
        });
        return cl;
    }
}
