package org.dicomlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dicomlb connections}: the open connections and associations of a running dicomlb, and closing one. */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = {"List the open connections and DICOM associations of a running dicomlb (oldest first),",
                "or end one with --close ID: a DICOM association is sent an A-ABORT first."})
public final class ConnectionsCommand implements Callable<Integer> {
    @CommandLine.Mixin
    AdminTarget target;

    @Option(names = "--json", description = "print the admin API's JSON")
    boolean json;

    @Option(names = "--ae", paramLabel = "AE", description = "only associations whose calling or called AE matches (a glob: CT*, MR?1)")
    String ae;

    @Option(names = "--backend", paramLabel = "POOL/BACKEND", description = "only connections to this backend (or POOL: any of the pool's)")
    String backend;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "200", description = "list at most N (default ${DEFAULT-VALUE}, at most 5000)")
    int limit;

    @Option(names = "--close", paramLabel = "ID", description = "end connection ID (from the listing); needs the admin token when one is set")
    Long close;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (close != null && (ae != null || backend != null)) {
            err.println("--close takes a connection id alone; --ae and --backend only filter the listing");
            return ExitCodes.BAD_INPUT;
        }
        if (close != null && close < 0) {
            err.println("--close: a connection id is a positive number (got " + close + ")");
            return ExitCodes.BAD_INPUT;
        }
        AdminTarget.Response r;
        try {
            r = close != null ? target.call("POST", "/api/v1/connections/" + close + "/close", "{}")
                    : target.call("GET", "/api/v1/connections" + query());
        } catch (AdminTarget.BadTarget e) {
            err.println(e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (r.status() != 200) {
            return r.failed(close != null ? "close" : "connections", err);
        }
        if (json) {
            AdminTarget.printJson(out, r.body());
            return ExitCodes.OK;
        }
        if (close != null) {
            JsonNode c = r.body().path("closed");
            out.printf("connection %d (%s%s, %s): %s%n", close, c.path("client").asText(), ae(c), c.path("listener").asText(),
                    r.body().path("detail").asText());
            return ExitCodes.OK;
        }
        print(out, r.body());
        return ExitCodes.OK;
    }

    private String query() {
        List<String> q = new ArrayList<>();
        if (ae != null) {
            q.add("ae=" + URLEncoder.encode(ae, StandardCharsets.UTF_8));
        }
        if (backend != null) {
            q.add("backend=" + URLEncoder.encode(backend, StandardCharsets.UTF_8));
        }
        q.add("limit=" + limit);
        return "?" + String.join("&", q);
    }

    private static String ae(JsonNode c) {
        JsonNode d = c.path("dicom");
        return d.isMissingNode() ? "" : " " + d.path("calling_ae").asText("-") + " -> " + d.path("called_ae").asText("-");
    }

    static void print(PrintWriter out, JsonNode body) {
        out.printf("%-8s %-14s %-22s %-16s %-16s %-22s %-10s %8s %10s %10s %s%n", "ID", "LISTENER", "CLIENT", "CALLING_AE",
                "CALLED_AE", "BACKEND", "STATE", "AGE", "IN", "OUT", "P-DATA IN/OUT");
        for (JsonNode c : body.path("connections")) {
            JsonNode d = c.path("dicom");
            String pool = c.path("pool").asText("");
            String backend = pool.isEmpty() ? "-" : pool + "/" + c.path("backend").asText("...");
            String pdus = d.has("pdata_in") ? d.path("pdata_in").asLong() + "/" + d.path("pdata_out").asLong() : "-";
            out.printf("%-8d %-14s %-22s %-16s %-16s %-22s %-10s %8s %10s %10s %s%n", c.path("id").asLong(),
                    c.path("listener").asText(), c.path("client").asText(), d.path("calling_ae").asText("-"),
                    d.path("called_ae").asText("-"), backend, c.path("state").asText(), age(c.path("age_millis").asLong()),
                    bytes(c.path("bytes_in").asLong()), bytes(c.path("bytes_out").asLong()), pdus);
        }
        int matched = body.path("matched").asInt();
        int more = body.path("more").asInt();
        out.printf("%d open%s%n", matched, more > 0 ? "; " + more + " more not listed (--limit)" : "");
    }

    static String age(long millis) {
        long s = millis / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s";
        }
        return s / 3600 + "h" + (s % 3600) / 60 + "m";
    }

    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? n + "B" : String.format(java.util.Locale.ROOT, "%.1f%s", v, units[i]);
    }
}
