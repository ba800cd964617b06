package org.dicomlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dicomlb gslb ...}: actions on the GSLB of a running dicomlb. */
@Command(name = "gslb", mixinStandardHelpOptions = true,
        description = "Act on the GSLB DNS responder of a running dicomlb.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {GslbCommand.Failback.class})
public final class GslbCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a gslb command is required (try: dicomlb gslb --help)");
    }

    /** {@code dicomlb gslb failback NAME}. */
    @Command(name = "failback", mixinStandardHelpOptions = true,
            description = {"Answer again the members of a GSLB name that its failback policy holds after a failure",
                    "(those healthy and past their gate). Exit 0 when none stays held, 1 when some do."})
    static final class Failback implements Callable<Integer> {
        /** A DNS name: labels of letters, digits, '-' and '_', so it goes into the URL as it is. */
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63})*\\.?");

        @Parameters(index = "0", paramLabel = "NAME", description = "the GSLB name, e.g. dicom.example.org")
        String name;

        @CommandLine.Mixin
        AdminTarget admin;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            var err = spec.commandLine().getErr();
            if (!NAME.matcher(name).matches() || name.length() > 254) {
                err.println("expected a DNS name such as dicom.example.org (got '" + name + "')");
                return ExitCodes.BAD_INPUT;
            }
            AdminTarget.Response r;
            try {
                r = admin.call("POST", "/api/v1/gslb/" + name + "/failback", "{}");
            } catch (AdminTarget.BadTarget e) {
                err.println(e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (r.status() != 200) {
                return r.failed("failback", err);
            }
            JsonNode b = r.body();
            spec.commandLine().getOut().println(b.path("message").asText());
            return b.path("not_released").isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
