package org.dicomlb.l4.internal;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;
import org.dicomlb.l4.PoolView;
import org.dicomlb.l4.config.L4Listener;
import org.dicomlb.l4.internal.NftTable.NftObject;

/**
 * Renders the kernel listeners' decisions as two nftables tables: {@code netdev NAME} for direct
 * server return, {@code ip NAME} for NAT.
 *
 * <p><b>DSR</b>, per interface a base chain on the ingress hook sends frames addressed to this host
 * (pkttype host: a peer appliance that sees flooded frames forwards none) for a VIP:port to the
 * listener's chain, which, in order:
 * <ol>
 *   <li>a SYN: forgets any old entry of its flow (a reused port), picks the real server from the
 *       new-flow slot table by jhash of the client address and port (the address alone for
 *       {@code balance: source}), records the flow and forwards the frame;</li>
 *   <li>a flow in the flow table whose real server is alive: that real server (so drain, slow
 *       start and new members never move an established flow), refreshing the entry;</li>
 *   <li>anything else (a flow that began before this appliance held the VIP or ran, or whose real
 *       server is down): the fallback slot table, recorded from then on.</li>
 * </ol>
 * Forwarding rewrites the source MAC to the appliance's own, counts the packet on the real
 * server's counter and sends the frame out of the same interface. A packet no rule takes goes on
 * to the appliance's own stack, which answers a SYN for a VIP:port it does not serve with a reset.
 *
 * <p><b>NAT</b>: a nat prerouting chain DNATs new connections by the same slot table (conntrack
 * keeps established ones on their real server, so a drained one keeps its connections); a
 * forward chain counts both directions per real server and resets established connections to a
 * real server that is down; a postrouting chain masquerades listeners that rewrite the source.
 */
public final class Ruleset {
    private static final String SYN = "tcp flags & (syn | ack) == syn";
    private static final String FLOW = "ip saddr . tcp sport";

    /** Where a counter's numbers belong. */
    public record CounterRef(String listener, L4Listener.Kind kind, String pool, String backend, String memberId) {
    }

    /**
     * @param dsr      the netdev table, null when no listener is dsr
     * @param nat      the ip table, null when no listener is nat
     * @param counters every counter object by name (names are unique across both tables)
     */
    public record Rendered(NftTable dsr, NftTable nat, Map<String, CounterRef> counters) {
        public Rendered {
            counters = Map.copyOf(counters);
        }
    }

    private Ruleset() {
    }

    public static Rendered render(String table, List<Decision> decisions) {
        Objects.requireNonNull(table, "table");
        Map<String, CounterRef> counters = new LinkedHashMap<>();
        List<NftObject> dsr = new ArrayList<>();
        List<NftObject> nat = new ArrayList<>();
        Map<String, List<String>> dsrByInterface = new LinkedHashMap<>();
        List<String> natServices = new ArrayList<>();
        List<String> masquerade = new ArrayList<>();
        List<String> forward = new ArrayList<>();
        for (Decision d : decisions) {
            L4Listener l = d.listener();
            String id = id(l.name());
            List<String> names = counterNames(l, d.targets(), counters);
            if (l.kind() == L4Listener.Kind.DSR) {
                dsr(d, id, names, dsr);
                String iface = l.iface().orElseThrow();
                dsrByInterface.computeIfAbsent(iface, k -> new ArrayList<>())
                        .add(address(l) + " . " + l.vip().getPort() + " : goto dsr_" + id);
            } else {
                nat(d, id, names, nat);
                natServices.add(address(l) + " . " + l.vip().getPort() + " : goto nat_" + id);
                String match = "ct status dnat meta l4proto tcp ct original ip daddr " + address(l) + " ct original proto-dst "
                        + l.vip().getPort();
                forward.add(match + " goto fwd_" + id);
                if (l.masquerade()) {
                    masquerade.add(match + " masquerade");
                }
            }
        }
        NftTable dsrTable = null;
        if (!dsrByInterface.isEmpty()) {
            for (var e : dsrByInterface.entrySet()) {
                dsr.add(NftObject.chain("in_" + id(e.getKey()), "type filter hook ingress device \"" + e.getKey()
                        + "\" priority -100; policy accept;", List.of("meta pkttype host meta protocol ip ip protocol tcp"
                        + " ip daddr . tcp dport vmap { " + String.join(", ", e.getValue()) + " }")));
            }
            dsrTable = new NftTable("netdev", table, dsr);
        }
        NftTable natTable = null;
        if (!natServices.isEmpty()) {
            nat.add(NftObject.chain("nat_pre", "type nat hook prerouting priority dstnat; policy accept;",
                    List.of("ip daddr . tcp dport vmap { " + String.join(", ", natServices) + " }")));
            nat.add(NftObject.chain("nat_post", "type nat hook postrouting priority srcnat; policy accept;", masquerade));
            nat.add(NftObject.chain("filter_fwd", "type filter hook forward priority filter; policy accept;", forward));
            natTable = new NftTable("ip", table, nat);
        }
        return new Rendered(dsrTable, natTable, counters);
    }

    private static void dsr(Decision d, String id, List<String> counterNames, List<NftObject> out) {
        L4Listener l = d.listener();
        List<Target> targets = d.targets();
        List<String> counterMap = new ArrayList<>();
        List<String> alive = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            out.add(NftObject.counter(counterNames.get(i)));
            if (t.usable()) {
                counterMap.add(t.mac() + " : " + counterNames.get(i));
                if (t.member().alive()) {
                    alive.add(t.mac());
                }
            }
        }
        out.add(NftObject.map("ctr_" + id, "type ether_addr : counter;", counterMap));
        out.add(NftObject.set("alive_" + id, "type ether_addr;", alive));
        out.add(NftObject.dynamicMap("flows_" + id, "type ipv4_addr . inet_service : ether_addr; size " + l.maxFlows()
                + "; flags dynamic,timeout; timeout " + l.flowTimeout().toSeconds() + "s;"));
        String hash = "jhash " + hashKey(d) + " mod " + d.newFlows().length + " seed " + String.format("0x%08x", SlotTable.seed(l.name()));
        String forward = "ether saddr set " + d.ownMac() + " counter name ether daddr map @ctr_" + id + " fwd to \""
                + l.iface().orElseThrow() + "\"";
        String record = "add @flows_" + id + " { " + FLOW + " : ether daddr }";
        String forget = "delete @flows_" + id + " { " + FLOW + " : ether daddr }";
        List<String> rules = new ArrayList<>();
        String fresh = slots(d.newFlows(), i -> targets.get(i).mac());
        rules.add(fresh.isEmpty() ? SYN + " accept"
                : SYN + " " + forget + " ether daddr set " + hash + " map { " + fresh + " } " + record + " " + forward);
        rules.add("ether daddr set " + FLOW + " map @flows_" + id + " ether daddr @alive_" + id + " update @flows_" + id
                + " { " + FLOW + " : ether daddr } " + forward);
        String known = slots(d.fallback(), i -> targets.get(i).mac());
        if (!known.isEmpty()) {
            rules.add(forget + " ether daddr set " + hash + " map { " + known + " } " + record + " " + forward);
        }
        out.add(NftObject.chain("dsr_" + id, "", rules));
    }

    private static void nat(Decision d, String id, List<String> counterNames, List<NftObject> out) {
        L4Listener l = d.listener();
        List<Target> targets = d.targets();
        List<String> counterMap = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            out.add(NftObject.counter(counterNames.get(i)));
            if (t.usable()) {
                String at = endpoint(t);
                counterMap.add(at + " : " + counterNames.get(i));
                if (!t.member().alive()) {
                    dead.add(at);
                }
            }
        }
        out.add(NftObject.map("ctr_" + id, "type ipv4_addr . inet_service : counter;", counterMap));
        out.add(NftObject.set("dead_" + id, "type ipv4_addr . inet_service;", dead));
        String fresh = slots(d.newFlows(), i -> endpoint(targets.get(i)));
        out.add(NftObject.chain("nat_" + id, "", fresh.isEmpty() ? List.of() : List.of("meta l4proto tcp dnat ip to jhash " + hashKey(d) + " mod "
                + d.newFlows().length + " seed " + String.format("0x%08x", SlotTable.seed(l.name())) + " map { " + fresh + " }")));
        out.add(NftObject.chain("fwd_" + id, "", List.of(
                "ct direction original ip daddr . tcp dport @dead_" + id + " reject with tcp reset",
                "ct direction original counter name ip daddr . tcp dport map @ctr_" + id,
                "ct direction reply counter name ip saddr . tcp sport map @ctr_" + id)));
    }

    private static String hashKey(Decision d) {
        return d.balance() == PoolView.Balance.SOURCE ? "ip saddr" : FLOW;
    }

    private static String endpoint(Target t) {
        return t.member().address().getAddress().getHostAddress() + " . " + t.member().address().getPort();
    }

    private static String address(L4Listener l) {
        return ((Inet4Address) l.vip().getAddress()).getHostAddress();
    }

    /** {@code 0-3 : A, 4 : B, ...}: runs of slots with the same owner as ranges; unowned slots left out. */
    static String slots(int[] owners, IntFunction<String> value) {
        StringBuilder b = new StringBuilder();
        int s = 0;
        while (s < owners.length) {
            int o = owners[s];
            int e = s;
            while (e + 1 < owners.length && owners[e + 1] == o) {
                e++;
            }
            if (o >= 0) {
                if (!b.isEmpty()) {
                    b.append(", ");
                }
                b.append(s);
                if (e > s) {
                    b.append('-').append(e);
                }
                b.append(" : ").append(value.apply(o));
            }
            s = e + 1;
        }
        return b.toString();
    }

    private static List<String> counterNames(L4Listener l, List<Target> targets, Map<String, CounterRef> all) {
        List<String> names = new ArrayList<>();
        Set<String> mine = new HashSet<>();
        for (Target t : targets) {
            String base = "c_" + id(l.name()) + "_" + id(t.member().id());
            String name = base;
            for (int n = 2; mine.contains(name) || all.containsKey(name); n++) {
                name = base + "_" + n;
            }
            mine.add(name);
            names.add(name);
            all.put(name, new CounterRef(l.name(), l.kind(), l.pool(), t.member().backend(), t.member().id()));
        }
        return names;
    }

    /** An nft identifier from a name: letters, digits, '_', '.' and '-' kept, anything else '_'. */
    static String id(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            b.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-') ? c : '_');
        }
        return b.toString();
    }
}
