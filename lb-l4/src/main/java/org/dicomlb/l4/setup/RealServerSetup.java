package org.dicomlb.l4.setup;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * The real-server side of direct server return, "solving the ARP problem": each real server holds
 * the VIP on its loopback, so it accepts the frames the appliance forwards to its MAC (addressed to
 * the VIP) and answers the client from the VIP directly; and it must never answer ARP for the VIP
 * or announce it, or clients would send to it instead of the appliance.
 *
 * <ul>
 *   <li>{@code arp_ignore=1}: answer ARP only for addresses configured on the interface the
 *       request came in on (the VIP is on {@code lo}, so no answer on the network);</li>
 *   <li>{@code arp_announce=2}: always use the interface's own primary address as the source of
 *       ARP requests, never the VIP a reply may come from;</li>
 *   <li>the VIP as a /32 on the loopback (a /32, so no route to the VIP's subnet goes via lo).</li>
 * </ul>
 * The kernel uses the larger of {@code all} and the interface's value, so setting {@code all}
 * covers every interface.
 */
public final class RealServerSetup {
    private RealServerSetup() {
    }

    /** The commands that set a real server up for {@code vips} on {@code loopback}. */
    public static List<Step> apply(List<Inet4Address> vips, String loopback) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("answer ARP only for addresses of the interface asked (the VIP is on " + loopback + ")",
                "sysctl", "-w", "net.ipv4.conf.all.arp_ignore=1"));
        steps.add(new Step("never use the VIP as the source of an ARP request", "sysctl", "-w",
                "net.ipv4.conf.all.arp_announce=2"));
        for (Inet4Address vip : vips) {
            steps.add(new Step("accept packets for the VIP (and answer from it) without owning it on the network",
                    "ip", "addr", "replace", vip.getHostAddress() + "/32", "dev", loopback));
        }
        return steps;
    }

    /** The commands that undo {@link #apply} (the sysctls back to the kernel's defaults). */
    public static List<Step> remove(List<Inet4Address> vips, String loopback) {
        List<Step> steps = new ArrayList<>();
        for (Inet4Address vip : vips) {
            steps.add(new Step("the VIP off the loopback", "ip", "addr", "del", vip.getHostAddress() + "/32", "dev", loopback));
        }
        steps.add(new Step("ARP answers as the kernel's default", "sysctl", "-w", "net.ipv4.conf.all.arp_ignore=0"));
        steps.add(new Step("ARP sources as the kernel's default", "sysctl", "-w", "net.ipv4.conf.all.arp_announce=0"));
        return steps;
    }

    /** A file for {@code /etc/sysctl.d/} that keeps the ARP settings across reboots. */
    public static String sysctlFile() {
        return """
                # dicomlb direct server return: this host is a real server behind a dsr listener.
                net.ipv4.conf.all.arp_ignore = 1
                net.ipv4.conf.all.arp_announce = 2
                """;
    }
}
