package org.dicomlb.l4.setup;

import java.util.List;

/**
 * The appliance's policy routing for {@code source: client} (transparent proxying). dicomlb
 * connects to the backend from the client's own address (a socket with {@code IP_TRANSPARENT}
 * bound to it); the backend's replies are addressed to the client, and routing would forward them
 * there. So packets that belong to a transparent socket are marked, and marked packets are routed
 * to the local stack:
 * <ul>
 *   <li>nftables: {@code socket transparent 1 meta mark set MARK} in a prerouting chain;</li>
 *   <li>{@code ip rule add fwmark MARK lookup TABLE} (and for IPv6), replacing an earlier one;</li>
 *   <li>{@code ip route add local 0.0.0.0/0 dev lo table TABLE}: everything in that table is local.</li>
 * </ul>
 * The backends must send replies for client addresses through the appliance (their default
 * gateway, or a route for the clients' subnets), not straight to the clients.
 */
public final class TransparentSetup {
    public static final String NFT_TABLE = "dicomlb_transparent";

    private TransparentSetup() {
    }

    public static List<Step> apply(int mark, int table) {
        String m = "0x" + Integer.toHexString(mark);
        String script = """
                table inet %s {
                }
                delete table inet %s
                table inet %s {
                  chain pre {
                    type filter hook prerouting priority mangle; policy accept;
                    socket transparent 1 meta mark set %s accept
                  }
                }
                """.formatted(NFT_TABLE, NFT_TABLE, NFT_TABLE, m);
        String t = Integer.toString(table);
        return List.of(
                new Step("mark packets addressed to a transparent socket (dicomlb's connection to a backend)",
                        List.of("nft", "-f", "-"), script),
                rule("-4", m, t),
                rule("-6", m, t),
                new Step("table " + t + ": every IPv4 address is local", "ip", "-4", "route", "replace", "local", "0.0.0.0/0",
                        "dev", "lo", "table", t),
                new Step("table " + t + ": every IPv6 address is local", "ip", "-6", "route", "replace", "local", "::/0",
                        "dev", "lo", "table", t));
    }

    /**
     * The policy rule for the mark, replacing one an earlier run left: {@code ip rule} has no
     * {@code replace} on every iproute2, and the kernel refuses an identical second rule.
     */
    private static Step rule(String family, String mark, String table) {
        String rule = "fwmark " + mark + " lookup " + table;
        return new Step("route marked IPv" + family.substring(1) + " packets by table " + table, "sh", "-c",
                "ip " + family + " rule del " + rule + " 2>/dev/null; exec ip " + family + " rule add " + rule);
    }

    public static List<Step> remove(int mark, int table) {
        String m = "0x" + Integer.toHexString(mark);
        String t = Integer.toString(table);
        return List.of(
                new Step("no more marking", List.of("nft", "-f", "-"), "table inet " + NFT_TABLE + " {\n}\ndelete table inet "
                        + NFT_TABLE + "\n"),
                new Step("the IPv4 rule", "ip", "-4", "rule", "del", "fwmark", m, "lookup", t),
                new Step("the IPv6 rule", "ip", "-6", "rule", "del", "fwmark", m, "lookup", t),
                new Step("table " + t + " emptied (IPv4)", "ip", "-4", "route", "flush", "table", t),
                new Step("table " + t + " emptied (IPv6)", "ip", "-6", "route", "flush", "table", t));
    }
}
