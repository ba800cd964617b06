package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.load.Wrk;
import org.dicomlb.harness.bench.peer.Nginx;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;

/**
 * L4 new-connection rate: wrk with {@code Connection: close} against nginx, so every request is a
 * new TCP connection end to end (accept, backend connect, a small exchange, close of both
 * halves). wrk rather than a generator of our own: it is a C tool with a well-understood cost per
 * connection, it verifies every response, and the same tool drives the keep-alive scenario, so
 * the two differ only in connection reuse.
 */
public final class L4ConnectionRate implements Scenario {
    private static final Metric RATE = Metric.higher("connections", "new connections", "conn/s")
            .withGoal(new Goal.AtLeastTimes(Variant.HAPROXY, 1.0));
    /** What each relayed connection costs the proxy ({@link ProxyCpu}): the rate shows it only through CPU taken from wrk and nginx. */
    private static final ProxyCpu.Metrics CPU = ProxyCpu.Metrics.per("connection", ChronoUnit.MICROS);

    @Override
    public String name() {
        return "l4-connection-rate";
    }

    @Override
    public String summary() {
        return "wrk -t1 -c16 (4 with --quick) -H 'Connection: close' → nginx (1 KiB file): one TCP connection per request; connections/s.";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(RATE, CPU.process(), CPU.io());
    }

    /** With the Netty relay: whether the gap to HAProxy is dicomlb's or its transport's. */
    @Override
    public List<Variant> variants() {
        return Variant.WITH_NETTY_RELAY;
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        Server nginx = Nginx.start(ctx, name(), ctx.layout().nginx());
        int connections = ctx.profile().pick(4, 16);
        return new OneBackend(nginx, Route.tcp(ctx.layout().nginx()), (via, phase) -> {
            ProxyCpu cpu = ProxyCpu.start(via);
            Wrk.Result r = Wrk.run(ctx, via.address(), Nginx.PATH, 1, connections, ctx.profile().duration(phase, via.variant()), true);
            Map<String, Double> out = new LinkedHashMap<>(Map.of(RATE.key(), r.requestsPerSecond()));
            out.putAll(cpu.per(r.requests(), CPU));
            return out;
        });
    }
}
