package org.dicomlb.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.dicomlb.l4.setup.Step;
import org.dicomlb.l4.setup.TransparentSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dicomlb transparent-setup}: the appliance's policy routing for listeners with
 * {@code source: client}: packets for dicomlb's transparent sockets marked by nftables, and marked
 * packets routed to the local stack. Prints the commands; {@code --apply} runs them (root).
 */
@Command(name = "transparent-setup", mixinStandardHelpOptions = true,
        description = {"Print (or --apply) the appliance's policy routing for listeners with source: client: an",
                "nftables rule marking packets of transparent sockets, an ip rule for the mark and a table routing",
                "everything to the local stack, so the backends' replies to client addresses reach dicomlb."})
public final class TransparentSetupCommand implements Callable<Integer> {
    @Option(names = "--apply", description = "run the commands on this host (root) instead of printing them")
    boolean apply;

    @Option(names = "--remove", description = "undo what --apply did")
    boolean remove;

    @Option(names = "--mark", defaultValue = "0x1", description = "the firewall mark (default: ${DEFAULT-VALUE})")
    String mark;

    @Option(names = "--table", defaultValue = "100", description = "the routing table (default: ${DEFAULT-VALUE})")
    int table;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        int m;
        try {
            m = Integer.decode(mark);
        } catch (NumberFormatException e) {
            err.println("dicomlb: --mark must be a number such as 0x1, not '" + mark + "'");
            return ExitCodes.BAD_INPUT;
        }
        if (m == 0 || table < 1 || table > 252) {
            err.println("dicomlb: --mark must not be 0 and --table must be 1..252 (253-255 are the kernel's own)");
            return ExitCodes.BAD_INPUT;
        }
        List<Step> steps = remove ? TransparentSetup.remove(m, table) : TransparentSetup.apply(m, table);
        return SetupSteps.printOrRun(steps, apply, spec.commandLine().getOut(), err,
                remove ? null : "# the backends must route replies for the clients' addresses through this appliance.");
    }
}
