package org.dicomlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import org.dicomlb.engine.config.Names;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

/**
 * Sets one backend's admin state through the admin API. {@code drain}, {@code ready} and
 * {@code maint} are one class each (one per subcommand), sharing this.
 */
abstract class AdminStateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "POOL/BACKEND", description = "the backend, e.g. archive/arch1")
    String target;

    @CommandLine.Mixin
    AdminTarget admin;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** ready, drain or maint. */
    abstract String state();

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        String[] names = target.split("/", -1);
        // Names are checked before they go into the URL: "a b/c" or "a?x/b" would otherwise make
        // a broken request or reach the wrong resource.
        if (names.length != 2 || !Names.valid(names[0]) || !Names.valid(names[1])) {
            err.println("expected POOL/BACKEND with names of letters, digits, '_', '.' or '-', e.g. archive/arch1"
                    + " (got '" + target + "')");
            return ExitCodes.BAD_INPUT;
        }
        String pool = names[0];
        String backend = names[1];
        AdminTarget.Response r;
        try {
            r = admin.call("PUT", "/api/v1/pools/" + pool + "/backends/" + backend + "/state",
                    "{\"state\":\"" + state() + "\"}");
        } catch (AdminTarget.BadTarget e) {
            err.println(e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        JsonNode b = r.body();
        if (r.status() == 200) {
            spec.commandLine().getOut().printf("%s: %s (health %s, %d connection(s) open)%n", target,
                    b.path("admin_state").asText(), b.path("health").asText(), b.path("connections").asInt());
            return ExitCodes.OK;
        }
        return r.failed(state(), err);
    }

    @CommandLine.Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Stop sending new connections to a backend; established ones continue.")
    static final class Drain extends AdminStateCommand {
        @Override
        String state() {
            return "drain";
        }
    }

    @CommandLine.Command(name = "ready", mixinStandardHelpOptions = true,
            description = "Return a backend to service (with the pool's slow start).")
    static final class Ready extends AdminStateCommand {
        @Override
        String state() {
            return "ready";
        }
    }

    @CommandLine.Command(name = "maint", mixinStandardHelpOptions = true,
            description = "Maintenance: no new connections and no health checks until 'ready'.")
    static final class Maint extends AdminStateCommand {
        @Override
        String state() {
            return "maint";
        }
    }
}
