package org.dicomlb.harness.drill;

import java.io.IOException;
import java.util.List;

/**
 * The drill's network and its address plan. Every address lives inside the drill's own
 * namespaces ({@link Netns}); the host's network is never touched, and since each namespace has
 * its own ports, the services use the ports of a real deployment (104, 53 ...).
 *
 * <pre>
 *  site A LAN 10.1.0.0/24 (bridge in sw-a)       site B LAN 10.2.0.0/24 (bridge in sw-b)
 *    10.1.0.1    rt (the router)                    10.2.0.1    rt
 *    10.1.0.10   VIP A, on a1 or a2 (VRID 51)       10.2.0.10   VIP B, on b1 or b2 (VRID 52)
 *    10.1.0.11   a1: dicomlb, GSLB on :53           10.2.0.11   b1: dicomlb, GSLB on :53
 *    10.1.0.12   a2: dicomlb, GSLB on :53           10.2.0.12   b2: dicomlb, GSLB on :53
 *    10.1.0.50   arch-a: storescp :104              10.2.0.50   arch-b: Orthanc :104
 *    10.1.0.100  legacy: storescu to 10.1.0.10:104              (REST API on its own 127.0.0.1:8042)
 *
 *  hospital core 10.0.0.0/24 (bridge in sw-core)
 *    10.0.0.1    rt
 *    10.0.0.53   dns: Unbound, stub zone dicom.example.org -> the four GSLBs
 *    10.0.0.100  modality: DNS-aware (dig through 10.0.0.53, then storescu to the answer :104)
 *
 *  Each appliance: admin API on its own 127.0.0.1:9900; listener "modality" on VIP:104 and
 *  listener "site" on VIP:11112. rt forwards between the three segments; cutting site A off is
 *  two blackhole rules in rt (every packet to or from 10.1.0.0/24 that crosses it is dropped,
 *  silently, as on a WAN that lost its link: the kernel here has no sch_netem for tc's loss);
 *  cutting the link between the sites is two rules for 10.1.0.0/24 <-> 10.2.0.0/24 only.
 * </pre>
 */
final class Network {
    /** The imaging name the GSLBs answer and the DNS-aware modality resolves. */
    static final String NAME = "dicom.example.org";
    /** The AE title of both archives and of the VIPs' listeners, as the modalities call it. */
    static final String ARCHIVE_AE = "ARCHIVE";
    static final int MODALITY_PORT = 104;
    static final int SITE_PORT = 11112;
    static final int ARCHIVE_PORT = 104;
    static final int DNS_PORT = 53;
    static final int ADMIN_PORT = 9900;
    static final int ORTHANC_HTTP_PORT = 8042;

    static final String CORE_SUBNET = "10.0.0.0/24";
    static final String CORE_ROUTER = "10.0.0.1";
    static final String RESOLVER = "10.0.0.53";
    static final String DNS_MODALITY = "10.0.0.100";
    static final String LEGACY_MODALITY = "10.1.0.100";

    /**
     * One site: its LAN, VIP, two appliances, archive.
     *
     * @param id      {@code a} or {@code b}: namespace roles are {@code ID1}, {@code ID2}, {@code arch-ID}, {@code sw-ID}
     * @param member  the GSLB member name ({@code site-a})
     */
    record Site(String id, String member, String datacenter, String subnet, String router, String vip,
                String lb1, String lb2, String archive, int vrid) {
        String lb1Role() {
            return id + "1";
        }

        String lb2Role() {
            return id + "2";
        }

        String archiveRole() {
            return "arch-" + id;
        }

        String switchRole() {
            return "sw-" + id;
        }

        String label() {
            return "site " + id.toUpperCase(java.util.Locale.ROOT);
        }
    }

    static final Site A = new Site("a", "site-a", "dc-a", "10.1.0.0/24", "10.1.0.1", "10.1.0.10", "10.1.0.11", "10.1.0.12",
            "10.1.0.50", 51);
    static final Site B = new Site("b", "site-b", "dc-b", "10.2.0.0/24", "10.2.0.1", "10.2.0.10", "10.2.0.11", "10.2.0.12",
            "10.2.0.50", 52);
    static final List<Site> SITES = List.of(A, B);
    static final String ROUTER = "rt";
    static final String CORE_SWITCH = "sw-core";
    static final String RESOLVER_ROLE = "dns";
    static final String LEGACY_ROLE = "legacy";
    static final String DNS_MODALITY_ROLE = "modality";

    private Network() {
    }

    /** Creates every namespace, switch and link of the plan above. */
    static void build(Netns lab) throws IOException, InterruptedException {
        lab.ns(ROUTER);
        lab.runOk(ROUTER, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        for (Site s : SITES) {
            lab.bridge(s.switchRole());
            lab.plug(s.switchRole(), "rt", ROUTER, "to-" + s.id(), s.router() + "/24", null);
            lab.plug(s.switchRole(), s.lb1Role(), s.lb1Role(), "eth0", s.lb1() + "/24", s.router());
            lab.plug(s.switchRole(), s.lb2Role(), s.lb2Role(), "eth0", s.lb2() + "/24", s.router());
            lab.plug(s.switchRole(), "arch", s.archiveRole(), "eth0", s.archive() + "/24", s.router());
        }
        lab.plug(A.switchRole(), "legacy", LEGACY_ROLE, "eth0", LEGACY_MODALITY + "/24", A.router());
        lab.bridge(CORE_SWITCH);
        lab.plug(CORE_SWITCH, "rt", ROUTER, "to-core", CORE_ROUTER + "/24", null);
        lab.plug(CORE_SWITCH, "dns", RESOLVER_ROLE, "eth0", RESOLVER + "/24", CORE_ROUTER);
        lab.plug(CORE_SWITCH, "modality", DNS_MODALITY_ROLE, "eth0", DNS_MODALITY + "/24", CORE_ROUTER);
    }

    /** Cuts {@code site} off: the router drops, without a word, every packet to or from its LAN. */
    static void cut(Netns lab, Site site) throws IOException, InterruptedException {
        lab.runOk(ROUTER, "ip", "rule", "add", "to", site.subnet(), "blackhole", "pref", cutPref(site, 0));
        lab.runOk(ROUTER, "ip", "rule", "add", "from", site.subnet(), "blackhole", "pref", cutPref(site, 1));
    }

    /** Undoes {@link #cut}. */
    static void reconnect(Netns lab, Site site) throws IOException, InterruptedException {
        lab.runOk(ROUTER, "ip", "rule", "del", "pref", cutPref(site, 0));
        lab.runOk(ROUTER, "ip", "rule", "del", "pref", cutPref(site, 1));
    }

    /**
     * Cuts the link between the two sites only: the router drops every packet from one site's LAN
     * to the other's, both ways; the hospital core still reaches both.
     */
    static void cutBetweenSites(Netns lab) throws IOException, InterruptedException {
        lab.runOk(ROUTER, "ip", "rule", "add", "from", A.subnet(), "to", B.subnet(), "blackhole", "pref", BETWEEN_PREF);
        lab.runOk(ROUTER, "ip", "rule", "add", "from", B.subnet(), "to", A.subnet(), "blackhole", "pref", BETWEEN_PREF_BACK);
    }

    /** Undoes {@link #cutBetweenSites}. */
    static void reconnectSites(Netns lab) throws IOException, InterruptedException {
        lab.runOk(ROUTER, "ip", "rule", "del", "pref", BETWEEN_PREF);
        lab.runOk(ROUTER, "ip", "rule", "del", "pref", BETWEEN_PREF_BACK);
    }

    private static final String BETWEEN_PREF = "90";
    private static final String BETWEEN_PREF_BACK = "91";

    private static String cutPref(Site site, int n) {
        return Integer.toString(100 + 10 * SITES.indexOf(site) + n);
    }
}
