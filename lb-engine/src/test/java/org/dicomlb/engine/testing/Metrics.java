package org.dicomlb.engine.testing;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Reads metrics the way the NOC does: from the Prometheus text of an engine's registry. */
public final class Metrics {
    private Metrics() {
    }

    /**
     * The current value of one series in /metrics format, e.g.
     * {@code dicomlb_backend_connections_total{backend="b1",pool="p"}}; NaN when it is absent.
     */
    public static double value(PrometheusMeterRegistry registry, String series) {
        return registry.scrape().lines().filter(l -> l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
    }
}
