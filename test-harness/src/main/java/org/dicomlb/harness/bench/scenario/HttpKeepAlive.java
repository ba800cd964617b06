package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.load.Wrk;
import org.dicomlb.harness.bench.peer.Nginx;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.DicomlbMode;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;

/**
 * HTTP requests/s with keep-alive: wrk (closed loop, saturating) → nginx, through a tcp listener
 * (HAProxy mode tcp) or, as {@code http-mode-keepalive}, an http listener (HAProxy mode http),
 * where each request is parsed, routed and forwarded on a kept-alive backend connection.
 * The latency percentiles here are at saturation, so they mostly show queueing; the added
 * latency at a sustainable load is {@link HttpAddedLatency}'s job.
 */
public final class HttpKeepAlive implements Scenario {
    static final int CONNECTIONS = 32;
    private static final Metric RPS = Metric.higher("rps", "requests", "req/s")
            .withGoal(new Goal.AtLeastTimes(Variant.HAPROXY, 1.0));
    private static final Metric P50 = Metric.lower("p50", "p50 latency at max load", "ms");
    private static final Metric P99 = Metric.lower("p99", "p99 latency at max load", "ms");
    /**
     * What each request costs the proxy ({@link ProxyCpu}): on two shared cores the request rate
     * shows it only through CPU taken from wrk and nginx, and this row is the one the machine's
     * noise moves least.
     */
    private static final ProxyCpu.Metrics CPU = ProxyCpu.Metrics.per("request", ChronoUnit.MICROS);

    private final DicomlbMode mode;

    /** @param mode {@link DicomlbMode#TCP} or {@link DicomlbMode#HTTP} */
    public HttpKeepAlive(DicomlbMode mode) {
        if (mode == DicomlbMode.DICOM) {
            throw new IllegalArgumentException("HTTP load runs through a tcp or http listener");
        }
        this.mode = mode;
    }

    /** The route both proxies take to nginx in {@code mode}. */
    static Route route(DicomlbMode mode, InetSocketAddress nginx) {
        return mode == DicomlbMode.HTTP ? Route.http(nginx) : Route.tcp(nginx);
    }

    @Override
    public String name() {
        return mode == DicomlbMode.HTTP ? "http-mode-keepalive" : "http-keepalive";
    }

    @Override
    public String summary() {
        return "wrk -t1 -c" + CONNECTIONS + " (8 with --quick) --latency with keep-alive → nginx (1 KiB file) through "
                + (mode == DicomlbMode.HTTP ? "an http listener (HAProxy mode http)." : "a tcp listener.");
    }

    @Override
    public List<Metric> metrics() {
        return List.of(RPS, P50, P99, CPU.process(), CPU.io(), Switches.PROXY_SLEEPS, Switches.PROXY_PREEMPTED,
                Switches.BACKEND_SLEEPS);
    }

    /**
     * Also a floor: through a tcp listener the Netty relay (the same bytes on the same transport
     * with no dicomlb code), through an http listener the Netty HTTP floor (the same on Netty's HTTP codec).
     */
    @Override
    public List<Variant> variants() {
        return mode == DicomlbMode.TCP ? Variant.WITH_NETTY_RELAY : Variant.WITH_NETTY_HTTP;
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        Server nginx = Nginx.start(ctx, name(), ctx.layout().nginx());
        int connections = ctx.profile().pick(8, CONNECTIONS);
        return new OneBackend(nginx, route(mode, ctx.layout().nginx()), (via, phase) -> {
            ProxyCpu cpu = ProxyCpu.start(via);
            Switches switches = Switches.start(via, nginx);
            Duration d = ctx.profile().duration(phase, via.variant());
            Wrk.Result r = phase == Phase.WARM_UP ? Wrk.warmUp(ctx, via.address(), Nginx.PATH, connections, d)
                    : Wrk.run(ctx, via.address(), Nginx.PATH, 1, connections, d, false);
            Map<String, Double> out = new LinkedHashMap<>(
                    Map.of(RPS.key(), r.requestsPerSecond(), P50.key(), r.p50Millis(), P99.key(), r.p99Millis()));
            out.putAll(cpu.per(r.requests(), CPU));
            out.putAll(switches.per(r.requests()));
            return out;
        });
    }
}
