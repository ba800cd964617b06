package org.dicomlb.harness.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.process.Children;

/**
 * {@code dnsperf} (DNS-OARC, Debian package dnsperf) in its default closed-loop mode: as many
 * queries as the server answers, up to 100 outstanding per run, read from a file in turn.
 */
public final class Dnsperf {
    private static final Pattern QPS = Pattern.compile("Queries per second:\\s+([0-9.]+)");
    private static final Pattern LATENCY = Pattern.compile("Average Latency \\(s\\):\\s+([0-9.]+)");
    private static final Pattern COMPLETED = Pattern.compile("Queries completed:\\s+(\\d+)");
    private static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");
    private static final Pattern CODES = Pattern.compile("Response codes:\\s+(.*)");

    private Dnsperf() {
    }

    /**
     * @param queriesPerSecond throughput
     * @param averageLatencyMillis mean time from query to response
     * @param completed queries answered
     * @param responseCodes as dnsperf prints them, e.g. {@code NOERROR 600 (85.71%), NXDOMAIN 100 (14.29%)}
     */
    public record Result(double queriesPerSecond, double averageLatencyMillis, long completed, long lost, String responseCodes) {
    }

    /** Runs for {@code duration} (whole seconds, at least one) with {@code clients} client sockets on one thread. */
    public static Result run(BenchContext ctx, InetSocketAddress server, Path queries, int clients, Duration duration)
            throws IOException, InterruptedException {
        long secs = Math.max(1, duration.toSeconds());
        List<String> cmd = List.of("dnsperf", "-s", server.getAddress().getHostAddress(), "-p", Integer.toString(server.getPort()),
                "-d", queries.toString(), "-l", Long.toString(secs), "-c", Integer.toString(clients), "-T", "1");
        Children.Exit e = ctx.children().run(cmd, Map.of(), duration.plusSeconds(30), ctx.scratch("dnsperf"));
        if (!e.ok()) {
            throw new IOException("dnsperf failed: " + e.describe());
        }
        String out = e.stdout();
        return new Result(number(QPS, out, e), number(LATENCY, out, e) * 1000, (long) number(COMPLETED, out, e),
                (long) number(LOST, out, e), text(CODES, out, e));
    }

    private static double number(Pattern p, String out, Children.Exit e) throws IOException {
        return Double.parseDouble(text(p, out, e));
    }

    private static String text(Pattern p, String out, Children.Exit e) throws IOException {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IOException("dnsperf printed no '" + p.pattern() + "': " + e.describe());
        }
        return m.group(1).strip();
    }
}
