package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.load.Iperf3Client;
import org.dicomlb.harness.bench.peer.CheckTarget;
import org.dicomlb.harness.bench.peer.Iperf3Server;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;

/** L4 bulk throughput: iperf3 client → (proxy) → iperf3 server, with 1 or N parallel TCP streams. */
public final class L4Throughput implements Scenario {
    private static final Metric THROUGHPUT = Metric.higher("throughput", "bulk throughput", "Gbit/s")
            .withGoal(new Goal.AtLeastTimes(Variant.HAPROXY, 1.0));

    private final int streams;

    public L4Throughput(int streams) {
        if (streams < 1 || streams > 128) {
            throw new IllegalArgumentException("streams must be 1..128");
        }
        this.streams = streams;
    }

    @Override
    public String name() {
        return "l4-throughput-" + streams;
    }

    @Override
    public String summary() {
        return "iperf3 -P " + streams + " for a fixed time; Gbit/s received by the iperf3 server.";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(THROUGHPUT);
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        // Both proxies check a stand-in port on the iperf3 server's address, never iperf3 itself:
        // a check connection arriving while a test sets up its streams would abort that test.
        CheckTarget check = CheckTarget.start(ctx.layout().iperf3Check());
        Server iperf;
        try {
            iperf = Iperf3Server.start(ctx, name(), ctx.layout().iperf3());
        } catch (IOException | InterruptedException | RuntimeException e) {
            check.close();
            throw e;
        }
        Route route = Route.tcp(ctx.layout().iperf3()).withCheckPort(ctx.layout().iperf3Check().getPort());
        return new OneBackend(iperf, route, (via, phase) -> Map.of(THROUGHPUT.key(),
                Iperf3Client.gbitPerSecond(ctx, via.address(), streams, ctx.profile().duration(phase, via.variant()))),
                check);
    }
}
