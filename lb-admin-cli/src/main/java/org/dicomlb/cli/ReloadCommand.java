package org.dicomlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dicomlb reload}: asks a running dicomlb to re-read its configuration file. */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Ask a running dicomlb to re-read its configuration file (same as SIGHUP).")
public final class ReloadCommand implements Callable<Integer> {
    @CommandLine.Mixin
    AdminTarget target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        AdminTarget.Response r;
        try {
            r = target.call("POST", "/api/v1/reload", "{}");
        } catch (AdminTarget.BadTarget e) {
            err.println(e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        JsonNode b = r.body();
        if (r.status() == 200) {
            out.println("reloaded: " + b.path("summary").asText());
            return ExitCodes.OK;
        }
        if (r.status() == 422) {
            b.path("errors").forEach(e -> err.println(e.asText()));
            err.println("reload rejected; the running configuration is unchanged");
            return ExitCodes.BAD_INPUT;
        }
        return r.failed("reload", err);
    }
}
