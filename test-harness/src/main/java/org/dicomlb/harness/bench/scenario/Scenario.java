package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Metric;

/**
 * One benchmark scenario: what backend it needs, how the proxies route to it, and how one
 * measurement is taken. The runner does the rest (starting proxies, warming up, alternating the
 * variants over the repetitions, medians, reports), so a new scenario (GSLB DNS against gdnsd,
 * HTTP L7) is one more class and one more line in {@link Scenarios}.
 */
public interface Scenario {
    /** Short, stable name used by {@code --only} and in the table, e.g. {@code l4-throughput-8}. */
    String name();

    /** One sentence for the report: what is measured, with which tools. */
    String summary();

    /** The numbers each measurement returns, in table order. */
    List<Metric> metrics();

    /** The variants compared; memory is a property of a proxy, so that scenario has no direct run. */
    default List<Variant> variants() {
        return Variant.PROXY_SCENARIOS;
    }

    /** True when each measurement needs freshly started proxies (memory from a clean start). */
    default boolean freshProxyEachRun() {
        return false;
    }

    /** Generates data and starts the backends. Everything started must go through the context's children. */
    Session open(BenchContext ctx) throws IOException, InterruptedException;

    /** A scenario with its backends running. */
    interface Session extends AutoCloseable {
        /** How both proxies forward to the backends; asked only when {@link #ownVias()} is empty. */
        default Route route() {
            throw new IllegalStateException("this scenario starts its own servers and has no proxy route");
        }

        /**
         * The ways to the servers when the scenario starts them itself (the DNS scenario starts
         * dicomlb with a GSLB configuration, and gdnsd); empty when the runner starts the proxies
         * for {@link #route()}.
         */
        default Optional<Map<Variant, Via>> ownVias() {
            return Optional.empty();
        }

        /**
         * Runs once the proxies listen, before any recorded measurement. By default each variant
         * gets unrecorded warm-up traffic; a scenario may also calibrate its load here. What it
         * returns goes into the report's notes.
         */
        default List<String> prepare(Map<Variant, Via> vias) throws IOException, InterruptedException {
            for (Via via : vias.values()) {
                measure(via, Phase.WARM_UP);
            }
            return List.of();
        }

        /** One measurement through {@code via}; returns a value for every metric of the scenario. */
        Map<String, Double> measure(Via via, Phase phase) throws IOException, InterruptedException;

        @Override
        void close() throws IOException;
    }
}
