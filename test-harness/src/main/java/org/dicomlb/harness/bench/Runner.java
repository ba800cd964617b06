package org.dicomlb.harness.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Metric;
import org.dicomlb.harness.bench.report.Numbers;
import org.dicomlb.harness.bench.report.ScenarioResult;
import org.dicomlb.harness.bench.scenario.Scenario;

/**
 * Runs one scenario: backends up, proxies up, warm-up, then the repetitions. Within a repetition
 * every variant is measured once, and the order rotates from one repetition to the next, so a
 * machine that gets busier or quieter during the run shifts all variants alike.
 */
final class Runner {
    private final BenchContext ctx;
    private final PrintStream progress;

    Runner(BenchContext ctx, PrintStream progress) {
        this.ctx = ctx;
        this.progress = progress;
    }

    /** Never throws for a failing scenario: the failure is recorded in the result (interrupts propagate). */
    ScenarioResult run(Scenario scenario) throws InterruptedException {
        ScenarioResult result = new ScenarioResult(scenario.name(), scenario.summary(), scenario.metrics(), scenario.variants());
        long start = System.nanoTime();
        Map<Variant, Server> proxies = new EnumMap<>(Variant.class);
        progress.printf("== %s: %s%n", scenario.name(), scenario.summary());
        try (Scenario.Session session = scenario.open(ctx)) {
            Map<Variant, Via> vias = new EnumMap<>(Variant.class);
            session.ownVias().ifPresent(vias::putAll);
            Route route = vias.isEmpty() ? session.route() : null;
            if (vias.isEmpty() && !scenario.freshProxyEachRun()) {
                for (Variant v : scenario.variants()) {
                    if (v.isProxy()) {
                        proxies.put(v, ctx.proxies().start(v, scenario.name(), route));
                    }
                    vias.put(v, via(v, route, Optional.ofNullable(proxies.get(v))));
                }
            }
            session.prepare(vias).forEach(n -> {
                result.note(n);
                progress.println("   " + n);
            });
            int reps = ctx.profile().repetitions();
            for (int rep = 0; rep < reps; rep++) {
                for (Variant v : rotate(scenario.variants(), rep)) {
                    Map<String, Double> values = measureOnce(scenario, session, route, vias, v);
                    result.add(v, values);
                    progress.printf("   rep %d/%d %-8s %s%n", rep + 1, reps, v.label(), describe(scenario.metrics(), values));
                }
            }
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            result.failed(why);
            progress.println("   FAILED: " + why);
        } finally {
            proxies.values().forEach(Server::close);
            result.seconds((System.nanoTime() - start) / 1e9);
        }
        return result;
    }

    private Map<String, Double> measureOnce(Scenario scenario, Scenario.Session session, Route route, Map<Variant, Via> vias,
                                            Variant v) throws IOException, InterruptedException {
        if (!scenario.freshProxyEachRun() || !v.isProxy()) {
            Via via = vias.containsKey(v) ? vias.get(v) : via(v, route, Optional.empty());
            Map<String, Double> values = session.measure(via, Phase.MEASURE);
            if (via.proxy().isPresent()) {
                via.proxy().get().checkAlive();
            }
            return values;
        }
        try (Server fresh = ctx.proxies().start(v, scenario.name(), route)) {
            Map<String, Double> values = session.measure(via(v, route, Optional.of(fresh)), Phase.MEASURE);
            fresh.checkAlive();
            return values;
        }
    }

    private Via via(Variant v, Route route, Optional<Server> proxy) {
        return new Via(v, ctx.proxies().address(v, route), proxy);
    }

    /** Repetition r starts with the r-th variant: D L H, L H D, H D L, ... */
    static List<Variant> rotate(List<Variant> variants, int rep) {
        List<Variant> out = new ArrayList<>(variants.size());
        for (int i = 0; i < variants.size(); i++) {
            out.add(variants.get((rep + i) % variants.size()));
        }
        return out;
    }

    private static String describe(List<Metric> metrics, Map<String, Double> values) {
        StringBuilder b = new StringBuilder();
        for (Metric m : metrics) {
            if (!values.containsKey(m.key())) {
                continue;
            }
            b.append(m.label()).append(' ').append(Numbers.format(values.get(m.key()))).append(' ').append(m.unit()).append("; ");
        }
        return b.substring(0, Math.max(0, b.length() - 2));
    }
}
