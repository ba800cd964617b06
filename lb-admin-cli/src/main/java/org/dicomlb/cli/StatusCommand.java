package org.dicomlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dicomlb status}: listeners, pools and backends of a running dicomlb. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show listeners, pools, backends, health and connections of a running dicomlb.")
public final class StatusCommand implements Callable<Integer> {
    @CommandLine.Mixin
    AdminTarget target;

    @Option(names = "--json", description = "print the admin API's JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return target.show(spec, "status", "/api/v1/status", json, StatusCommand::print);
    }

    /** How many recent transitions the text output shows (the JSON has them all). */
    static final int EVENTS_SHOWN = 10;

    static void print(PrintWriter out, JsonNode s) {
        printProxy(out, s);
        if (s.has("l4") && !s.path("l4").isNull()) {
            printKernel(out, s.path("l4"));
        }
        if (s.has("gslb")) {
            printGslb(out, s.path("gslb"));
        }
        printEvents(out, s.path("events"));
    }

    /** The latest transitions, newest first. */
    static void printEvents(PrintWriter out, JsonNode events) {
        if (!events.isArray() || events.isEmpty()) {
            return;
        }
        out.printf("%nrecent transitions (newest first)%n");
        int n = 0;
        for (JsonNode e : events) {
            if (n++ == EVENTS_SHOWN) {
                out.printf("  ... %d more (dicomlb status --json, or the status page)%n", events.size() - EVENTS_SHOWN);
                break;
            }
            out.printf("  %-24s %-12s %-28s %s%n", e.path("at").asText(), e.path("kind").asText(), e.path("subject").asText(),
                    e.path("text").asText());
        }
    }

    /**
     * The dsr and nat listeners: each real server's MAC (dsr), its state in the kernel's tables and
     * what the nft counters say it was sent. No connections: the kernel sees packets.
     */
    static void printKernel(PrintWriter out, JsonNode k) {
        String error = k.path("error").asText("");
        out.printf("%nkernel listeners (nftables)%s%s%n", k.path("applied_at").isTextual() ? ", rules applied "
                + k.path("applied_at").asText() : "", error.isEmpty() ? "" : "; LAST CHANGE FAILED: " + error);
        for (JsonNode l : k.path("listeners")) {
            String iface = l.path("interface_name").asText("");
            out.printf("%n%s %s %s%s -> pool %s  (backends see the %s's address)  serving: %s%n", l.path("mode").asText(),
                    l.path("name").asText(), l.path("bind").asText(), iface.isEmpty() ? "" : " on " + iface,
                    l.path("pool").asText(), l.path("source").asText(), l.path("serving").asBoolean() ? "yes" : "no");
            out.printf("  %-16s %-22s %-18s %-11s %6s %12s %14s  %s%n", "BACKEND", "ADDRESS", "MAC", "STATE", "SLOTS",
                    "PACKETS", "BYTES", "REASON");
            for (JsonNode b : l.path("backends")) {
                out.printf("  %-16s %-22s %-18s %-11s %6d %12d %14d  %s%n", b.path("name").asText(),
                        b.path("address").asText(), b.path("mac").asText("-"), b.path("state").asText(),
                        b.path("slots").asInt(), b.path("packets").asLong(), b.path("bytes").asLong(),
                        b.path("reason").asText(""));
            }
        }
    }

    /** Per GSLB name: what each group of clients is answered and why, then each member. */
    static void printGslb(PrintWriter out, JsonNode g) {
        out.printf("%ngslb on %s%n", g.path("listen").asText());
        for (JsonNode n : g.path("names")) {
            out.printf("%nname %s  method=%s  failback=%s  fallback=%s  ttl=%ds%n", n.path("name").asText(),
                    n.path("method").asText(), n.path("failback").asText(), n.path("fallback").asText(),
                    n.path("ttl_seconds").asInt());
            for (JsonNode a : n.path("answering")) {
                java.util.List<String> members = new java.util.ArrayList<>();
                a.path("members").forEach(m -> members.add(m.asText()));
                out.printf("  %-5s %-22s -> %-20s (%s)%n", a.path("family").asText(), a.path("clients").asText(),
                        members.isEmpty() ? "SERVFAIL" : String.join(", ", members), a.path("why").asText());
            }
            out.printf("  %-16s %-24s %-10s %-9s %-8s %s%n", "MEMBER", "ADDRESS", "DC", "HEALTH", "STATE", "DETAIL");
            for (JsonNode m : n.path("members")) {
                String detail = m.path("failback").asText("");
                String reason = m.path("reason").asText("");
                out.printf("  %-16s %-24s %-10s %-9s %-8s %s%n", m.path("name").asText(), m.path("address").asText(),
                        m.path("datacenter").asText("-"), m.path("health").asText(), m.path("state").asText(),
                        (m.path("health_source").asText() + (reason.isEmpty() ? "" : "; " + reason)
                                + (detail.isEmpty() ? "" : "; " + detail)));
            }
        }
    }

    static void printProxy(PrintWriter out, JsonNode s) {
        JsonNode fds = s.path("descriptors");
        out.printf("dicomlb %s, transport: %s%s%n%n", s.path("version").asText("?"), s.path("transport").asText(),
                fds.isMissingNode() ? "" : ", open-files limit " + fds.path("limit").asLong() + " (about "
                        + fds.path("connections").asInt() + " relayed connections)");
        out.printf("%-16s %-22s %-6s %-16s %s%n", "LISTENER", "BIND", "MODE", "POOL", "CONNECTIONS");
        for (JsonNode l : s.path("listeners")) {
            int max = l.path("max_connections").asInt();
            int limit = l.path("limit").asInt(max);
            out.printf("%-16s %-22s %-6s %-16s %d/%d%s%n", l.path("name").asText(), l.path("bind").asText(),
                    l.path("mode").asText(), l.path("pool").asText("-"), l.path("connections").asInt(), max,
                    limit < max ? " (limit " + limit + ": open files)" : "");
        }
        JsonNode vip = s.path("vip");
        if (!vip.isMissingNode() && !vip.isNull()) {
            out.println();
            VipCommand.print(out, vip);
        }
        for (JsonNode p : s.path("pools")) {
            out.printf("%npool %s  balance=%s  eligible=%d  queue=%d%s%n", p.path("name").asText(),
                    p.path("balance").asText(), p.path("eligible").asInt(), p.path("queue_length").asInt(),
                    p.path("on_backups").asBoolean() ? "  (serving from backups)" : "");
            out.printf("  %-16s %-22s %-9s %-6s %-7s %-11s %s%n", "BACKEND", "ADDRESS", "HEALTH", "ADMIN", "WEIGHT",
                    "CONNECTIONS", "ROLE");
            for (JsonNode b : p.path("backends")) {
                int max = b.path("max_connections").asInt();
                String reason = b.path("health_reason").asText("");
                out.printf("  %-16s %-22s %-9s %-6s %-7s %-11s %s%s%n", b.path("name").asText(), b.path("address").asText(),
                        b.path("health").asText(), b.path("admin_state").asText(),
                        b.path("effective_weight").asInt() + "/" + b.path("weight").asInt(),
                        b.path("connections").asInt() + (max > 0 ? "/" + max : ""),
                        b.path("backup").asBoolean() ? "backup" : "primary",
                        reason.isEmpty() ? "" : "  (" + reason + ")");
                String dns = b.path("dns").asText("");
                if (!dns.isEmpty()) {
                    printDns(out, dns, b);
                }
            }
        }
    }

    /**
     * Under a dns backend: the name, the addresses in use with the resolver that answered and when,
     * then each endpoint of a backend with several, and why addresses are missing or may be stale.
     */
    private static void printDns(PrintWriter out, String dns, JsonNode b) {
        JsonNode endpoints = b.path("endpoints");
        List<String> addresses = new ArrayList<>();
        endpoints.forEach(e -> addresses.add(e.path("address").asText()));
        String source = b.path("address_source").asText("");
        String at = b.path("address_at").asText("");
        out.printf("    dns %s -> %s%s%n", dns, addresses.isEmpty() ? "no address" : String.join(", ", addresses),
                source.isEmpty() ? "" : "  (" + (addresses.isEmpty() ? "last answer" : "answer") + " from " + source
                        + (at.isEmpty() ? "" : " at " + at) + ")");
        if (endpoints.size() > 1) {
            for (JsonNode e : endpoints) {
                String why = e.path("health_reason").asText("");
                out.printf("      %-22s %-9s %d connection(s)%s%n", e.path("address").asText(),
                        e.path("health").asText(), e.path("connections").asInt(), why.isEmpty() ? "" : "  (" + why + ")");
            }
        }
        String problem = b.path("address_problem").asText("");
        if (!problem.isEmpty()) {
            out.printf("    dns problem: %s%n", problem);
        }
    }
}
