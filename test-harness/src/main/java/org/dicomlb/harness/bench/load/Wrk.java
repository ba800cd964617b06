package org.dicomlb.harness.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.process.Text;

/**
 * Runs {@code wrk} (closed loop: each connection sends its next request when the previous
 * response arrived) and reads its summary. Any socket error or non-2xx response fails the
 * measurement: a proxy that drops requests must not look fast.
 */
public final class Wrk {
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern COUNT = Pattern.compile("(\\d+) requests in ");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    private Wrk() {
    }

    /** What one wrk run measured: completed requests, their rate and latencies in milliseconds. */
    public record Result(long requests, double requestsPerSecond, double p50Millis, double p99Millis) {
    }

    /**
     * @param closeEach send {@code Connection: close}, so every request is a new TCP connection
     *                  (nginx closes after the response and wrk reconnects)
     */
    public static Result run(BenchContext ctx, InetSocketAddress target, String path, int threads, int connections,
                             Duration duration, boolean closeEach) throws IOException, InterruptedException {
        return run(ctx, "http", target, path, threads, connections, duration, closeEach);
    }

    /** The longest single wrk run of a keep-alive warm-up: see {@link #warmUp}. */
    static final Duration WARM_UP_PIECE = Duration.ofSeconds(5);

    /**
     * Keep-alive warm-up traffic for {@code total}, as consecutive wrk runs of at most
     * {@link #WARM_UP_PIECE}: each opens its connections afresh and closes them (some with a
     * request in flight), as every measured run does. One long run opens its connections while a
     * JVM proxy is still interpreting, before its JIT profiles anything, so the hot paths are
     * compiled as if no connection ever opened or closed; the first measured run's new
     * connections then throw that code out and the proxy recompiles it inside the measurement
     * (docs/benchmarks.md, 2026-12-07 early morning).
     *
     * @return the last run's result
     */
    public static Result warmUp(BenchContext ctx, InetSocketAddress target, String path, int connections, Duration total)
            throws IOException, InterruptedException {
        Result last = null;
        for (Duration piece : pieces(total)) {
            last = run(ctx, target, path, 1, connections, piece, false);
        }
        return last;
    }

    /** {@code total} as runs of {@link #WARM_UP_PIECE}, the last one shorter; one run at least. */
    static List<Duration> pieces(Duration total) {
        List<Duration> out = new ArrayList<>();
        Duration left = total;
        do {
            Duration piece = left.compareTo(WARM_UP_PIECE) < 0 ? left : WARM_UP_PIECE;
            out.add(piece);
            left = left.minus(piece);
        } while (left.isPositive());
        return out;
    }

    /**
     * @param scheme {@code http}, or {@code https}: wrk speaks TLS (OpenSSL, verifying no
     *               certificate; a reconnecting wrk connection offers the session it had, so new
     *               connections are full handshakes or resumptions as the server allows)
     */
    public static Result run(BenchContext ctx, String scheme, InetSocketAddress target, String path, int threads,
                             int connections, Duration duration, boolean closeEach) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t", Integer.toString(threads), "-c", Integer.toString(connections),
                "-d", Math.max(1, duration.toSeconds()) + "s", "--latency", "--timeout", "5s"));
        if (closeEach) {
            cmd.addAll(List.of("-H", "Connection: close"));
        }
        cmd.add(scheme + "://" + SocketAddresses.format(target) + path);
        Children.Exit e = ctx.children().runOk(cmd, Map.of(), duration.plusSeconds(30), ctx.scratch("wrk"));
        return parse(e.stdout(), SocketAddresses.format(target));
    }

    /** Reads wrk's --latency summary; {@code via} names the target in error messages. */
    static Result parse(String out, String via) throws IOException {
        Matcher se = SOCKET_ERRORS.matcher(out);
        if (se.find()) {
            throw new IOException("wrk saw socket errors (connect " + se.group(1) + ", read " + se.group(2) + ", write "
                    + se.group(3) + ", timeout " + se.group(4) + ") via " + via);
        }
        Matcher n2 = NON_2XX.matcher(out);
        if (n2.find()) {
            throw new IOException("wrk got " + n2.group(1) + " non-2xx responses via " + via);
        }
        Matcher rate = RATE.matcher(out);
        if (!rate.find()) {
            throw new IOException("no Requests/sec in wrk output via " + via + ": " + Text.tail(out, 8));
        }
        Matcher count = COUNT.matcher(out);
        if (!count.find()) {
            throw new IOException("no request count in wrk output via " + via + ": " + Text.tail(out, 8));
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher p = PERCENTILE.matcher(out);
        while (p.find()) {
            double ms = millis(Double.parseDouble(p.group(2)), p.group(3));
            if (p.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        if (Double.isNaN(p50) || Double.isNaN(p99)) {
            throw new IOException("no latency distribution in wrk output via " + via + ": " + Text.tail(out, 8));
        }
        return new Result(Long.parseLong(count.group(1)), Double.parseDouble(rate.group(1)), p50, p99);
    }

    private static double millis(double v, String unit) {
        return switch (unit) {
            case "us" -> v / 1000;
            case "ms" -> v;
            default -> v * 1000;
        };
    }
}
