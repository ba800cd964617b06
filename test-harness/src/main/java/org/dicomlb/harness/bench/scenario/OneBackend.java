package org.dicomlb.harness.bench.scenario;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;

/**
 * The usual session: one backend server behind one route and a way to take a measurement. After
 * every measurement the backend must still be alive (a crashed backend makes any number
 * meaningless); closing the session stops it.
 */
final class OneBackend implements Scenario.Session {
    /** One measurement through a variant; returns a value for every metric of the scenario. */
    @FunctionalInterface
    interface Measurement {
        Map<String, Double> take(Via via, Phase phase) throws IOException, InterruptedException;
    }

    private final Server backend;
    private final Route route;
    private final Measurement measurement;
    private final Closeable companion;

    OneBackend(Server backend, Route route, Measurement measurement) {
        this(backend, route, measurement, () -> { });
    }

    /** With a {@code companion} (a helper the route needs beside the backend) closed after it. */
    OneBackend(Server backend, Route route, Measurement measurement, Closeable companion) {
        this.backend = backend;
        this.route = route;
        this.measurement = measurement;
        this.companion = companion;
    }

    @Override
    public Route route() {
        return route;
    }

    @Override
    public Map<String, Double> measure(Via via, Phase phase) throws IOException, InterruptedException {
        Map<String, Double> values = measurement.take(via, phase);
        backend.checkAlive();
        return values;
    }

    @Override
    public void close() throws IOException {
        backend.close();
        companion.close();
    }
}
