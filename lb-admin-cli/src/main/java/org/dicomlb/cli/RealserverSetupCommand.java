package org.dicomlb.cli;

import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dicomlb.l4.setup.RealServerSetup;
import org.dicomlb.l4.setup.Step;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dicomlb realserver-setup VIP...}: the real-server side of a dsr listener ("the ARP
 * problem"): the VIP on the loopback, ARP answers and announcements that never give it away.
 * Prints the commands by default; {@code --apply} runs them on this host (a real server, root).
 */
@Command(name = "realserver-setup", mixinStandardHelpOptions = true,
        description = {"Print (or --apply) what a real server behind a dsr listener needs: the VIP on its loopback,",
                "arp_ignore=1 and arp_announce=2, so it takes the frames dicomlb forwards and answers the client",
                "itself, but never answers ARP for the VIP. Run it on each real server, not on the appliance."})
public final class RealserverSetupCommand implements Callable<Integer> {
    @Parameters(paramLabel = "VIP", arity = "1..*", description = "the dsr listeners' IPv4 addresses")
    List<String> vips;

    @Option(names = "--apply", description = "run the commands on this host (root) instead of printing them")
    boolean apply;

    @Option(names = "--remove", description = "undo: the VIP off the loopback, the ARP settings back to the defaults")
    boolean remove;

    @Option(names = "--loopback", defaultValue = "lo", description = "the loopback interface (default: ${DEFAULT-VALUE})")
    String loopback;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Inet4Address> addresses = new ArrayList<>();
        for (String v : vips) {
            try {
                if (!v.matches("[0-9.]+") || !(InetAddress.getByName(v) instanceof Inet4Address a)) {
                    err.println("dicomlb: '" + v + "' is not an IPv4 address (dsr listeners serve IPv4)");
                    return ExitCodes.BAD_INPUT;
                }
                addresses.add(a);
            } catch (UnknownHostException e) {
                err.println("dicomlb: '" + v + "' is not an IPv4 address");
                return ExitCodes.BAD_INPUT;
            }
        }
        List<Step> steps = remove ? RealServerSetup.remove(addresses, loopback) : RealServerSetup.apply(addresses, loopback);
        return SetupSteps.printOrRun(steps, apply, out, err,
                remove ? null : "# to keep the ARP settings across reboots, as /etc/sysctl.d/90-dicomlb-dsr.conf:\n"
                        + RealServerSetup.sysctlFile().strip().lines().map(l -> "#   " + l).reduce((a, b) -> a + "\n" + b)
                        .orElse("") + "\n# and the VIP on " + loopback + " in the host's network configuration.");
    }
}
