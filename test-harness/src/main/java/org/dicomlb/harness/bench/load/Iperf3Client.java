package org.dicomlb.harness.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.process.Children;

/** {@code iperf3 -c} with JSON output: bytes the server received per second, over all streams. */
public final class Iperf3Client {
    private Iperf3Client() {
    }

    /** Runs for {@code duration} (whole seconds, at least one) with {@code streams} parallel TCP streams; returns Gbit/s. */
    public static double gbitPerSecond(BenchContext ctx, InetSocketAddress target, int streams, Duration duration)
            throws IOException, InterruptedException {
        long secs = Math.max(1, duration.toSeconds());
        List<String> cmd = List.of("iperf3", "-c", target.getAddress().getHostAddress(), "-p", Integer.toString(target.getPort()),
                "-t", Long.toString(secs), "-P", Integer.toString(streams), "--connect-timeout", "3000", "-J");
        Children.Exit e = ctx.children().run(cmd, Map.of(), duration.plusSeconds(30), ctx.scratch("iperf3"));
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(e.stdout());
        } catch (IOException notJson) {
            throw new IOException("iperf3 printed no JSON: " + e.describe(), notJson);
        }
        if (root.hasNonNull("error") || !e.ok()) {
            throw new IOException("iperf3 failed: " + root.path("error").asText(e.describe()));
        }
        JsonNode bps = root.path("end").path("sum_received").path("bits_per_second");
        if (!bps.isNumber()) {
            throw new IOException("iperf3 JSON has no end.sum_received.bits_per_second: " + e.describe());
        }
        return bps.asDouble() / 1e9;
    }
}
