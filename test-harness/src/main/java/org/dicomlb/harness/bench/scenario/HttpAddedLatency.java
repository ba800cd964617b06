package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.load.ConstantRateHttp;
import org.dicomlb.harness.bench.load.Wrk;
import org.dicomlb.harness.bench.peer.Nginx;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.DicomlbMode;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;
import org.dicomlb.harness.bench.report.Numbers;

/**
 * Latency a proxy adds at a load it can sustain. First each variant's maximum keep-alive rate is
 * measured with wrk for the profile's warm-up time of that variant (this doubles as warm-up, so a
 * JVM gets its longer one), and once more briefly when all are warm; then every variant is driven
 * at the same constant rate, half of the slowest variant's maximum, by {@link ConstantRateHttp}, an
 * open-loop generator that measures from each request's due time. Each run opens its connections
 * fresh and offers the rate for a settling period first, whose latencies are reported apart (their
 * p99 is a metric without a goal): the first requests of new connections, all due at once, are
 * set-up under a burst, not latency at the offered rate (see {@link ConstantRateHttp}). Through a
 * tcp listener, or as {@code http-mode-added-latency} through an http listener (HAProxy mode http).
 */
public final class HttpAddedLatency implements Scenario {
    private static final Metric P50 = Metric.lower("p50", "p50 latency at half load", "ms");
    private static final Metric P99 = Metric.lower("p99", "p99 latency at half load", "ms")
            .withGoal(new Goal.AddedBelow(1.0, "ms"));
    private static final Metric P999 = Metric.lower("p999", "p99.9 latency at half load", "ms");
    private static final Metric P99_SETTLING = Metric.lower("p99-settling",
            "p99 latency while new connections settle (not in the p99 above)", "ms");
    private static final Duration CALIBRATION = Duration.ofSeconds(2);
    private static final Duration GENERATOR_WARM_UP = Duration.ofSeconds(1);

    private final DicomlbMode mode;

    /** @param mode {@link DicomlbMode#TCP} or {@link DicomlbMode#HTTP} */
    public HttpAddedLatency(DicomlbMode mode) {
        if (mode == DicomlbMode.DICOM) {
            throw new IllegalArgumentException("HTTP load runs through a tcp or http listener");
        }
        this.mode = mode;
    }

    @Override
    public String name() {
        return mode == DicomlbMode.HTTP ? "http-mode-added-latency" : "http-added-latency";
    }

    @Override
    public String summary() {
        return "open-loop constant-rate HTTP keep-alive load (harness generator, HdrHistogram) at half of the slowest"
                + " variant's wrk maximum → nginx" + (mode == DicomlbMode.HTTP ? " through an http listener (HAProxy mode http)" : "")
                + "; latency from each request's due time, after a settling period on the new connections that is reported apart.";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(P50, P99, P999, P99_SETTLING);
    }

    /** Through an http listener also the Netty HTTP floor, at the same offered rate. */
    @Override
    public List<Variant> variants() {
        return mode == DicomlbMode.HTTP ? Variant.WITH_NETTY_HTTP : Variant.PROXY_SCENARIOS;
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        Server nginx = Nginx.start(ctx, name(), ctx.layout().nginx());
        Route route = HttpKeepAlive.route(mode, ctx.layout().nginx());
        int connections = ctx.profile().pick(4, 16);
        // Twice the usual time: p99.9 of a few thousand samples per second needs the length.
        Duration measure = ctx.profile().measure().multipliedBy(2);
        Duration settle = Duration.ofMillis(ctx.profile().pick(250, 1000));
        return new Session() {
            private double rate;

            @Override
            public Route route() {
                return route;
            }

            @Override
            public List<String> prepare(Map<Variant, Via> vias) throws IOException, InterruptedException {
                Map<Variant, Double> max = new EnumMap<>(Variant.class);
                // The first maximum is each variant's warm-up, as long as every other scenario's
                // (a JVM's is longer): dicomlb's compiler still at work would be in every latency measured.
                for (Via via : vias.values()) {
                    max.put(via.variant(), Wrk.warmUp(ctx, via.address(), Nginx.PATH, HttpKeepAlive.CONNECTIONS,
                            ctx.profile().duration(Phase.WARM_UP, via.variant())).requestsPerSecond());
                }
                if (!ctx.profile().quick()) {
                    // Calibrate again now that every variant is warm; the warm-up figures undersell a cold JVM.
                    for (Via via : vias.values()) {
                        max.put(via.variant(), maxRate(via, CALIBRATION));
                    }
                }
                // A floor is measured at the rate the others set, not setting it: it stands beside them.
                double slowest = max.entrySet().stream().filter(e -> e.getKey().floor().isEmpty())
                        .mapToDouble(Map.Entry::getValue).min()
                        .orElseThrow(() -> new IOException("no variant to calibrate against"));
                rate = Math.max(100, Math.floor(slowest / 2 / 100) * 100);
                StringBuilder note = new StringBuilder(String.format(Locale.ROOT,
                        "Offered %s req/s on %d connections for %d s per run after %d ms of settling: half of the slowest variant's"
                                + " wrk maximum, floors aside (",
                        Numbers.format(rate), connections, measure.toSeconds(), settle.toMillis()));
                max.forEach((v, r) -> note.append(v.label()).append(' ').append(Numbers.format(r)).append(", "));
                note.setLength(note.length() - 2);
                note.append(" req/s with wrk -c").append(HttpKeepAlive.CONNECTIONS).append(").");
                // The generator's own code must be warm too, or the first variant measured pays for its class loading.
                for (Via via : vias.values()) {
                    measure(via, Phase.WARM_UP);
                }
                return List.of(note.toString());
            }

            private double maxRate(Via via, Duration d) throws IOException, InterruptedException {
                return Wrk.run(ctx, via.address(), Nginx.PATH, 1, HttpKeepAlive.CONNECTIONS, d, false).requestsPerSecond();
            }

            @Override
            public Map<String, Double> measure(Via via, Phase phase) throws IOException, InterruptedException {
                boolean warmUp = phase == Phase.WARM_UP;
                Duration settleFor = warmUp ? Duration.ZERO : settle;
                Duration measureFor = warmUp ? GENERATOR_WARM_UP : measure;
                ConstantRateHttp.Result r = ConstantRateHttp.run(via.address(), Nginx.PATH, connections, rate, settleFor, measureFor);
                nginx.checkAlive();
                if (r.errors() > 0) {
                    throw new IOException(r.errors() + " requests via " + via.variant().label() + " failed or went unanswered, of "
                            + Math.round(rate * settleFor.plus(measureFor).toNanos() / 1e9) + " offered"
                            + (r.failure() != null ? " (first: " + r.failure() + ")" : ""));
                }
                return Map.of(P50.key(), r.percentileMillis(50), P99.key(), r.percentileMillis(99),
                        P999.key(), r.percentileMillis(99.9), P99_SETTLING.key(), r.settlingPercentileMillis(99));
            }

            @Override
            public void close() {
                nginx.close();
            }
        };
    }
}
