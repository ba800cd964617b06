package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.process.ContextSwitches;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.report.Metric;

/**
 * How the machine's CPUs were shared during one measurement, per request: how often the
 * proxy's threads slept (and had to be woken) and were preempted, and how often the backend's
 * processes slept. Where wrk, the backend and the proxy share two cores, the kernel's placement of
 * them moves a closed loop's rate as much as the proxy's own CPU does, and it changes from one
 * quarter of an hour to the next: these rows say which placement a run had
 * (docs/benchmarks.md, 2026-12-07 afternoon).
 */
final class Switches {
    static final Metric PROXY_SLEEPS = Metric.lower("proxy-sleeps", "proxy threads' sleeps per request", "switches")
            .onlyThroughProxies();
    static final Metric PROXY_PREEMPTED = Metric.lower("proxy-preempted", "proxy threads preempted per request", "switches")
            .onlyThroughProxies();
    static final Metric BACKEND_SLEEPS = Metric.lower("backend-sleeps", "backend sleeps per request", "switches");

    private final Server proxy;
    private final Server backend;
    private final ContextSwitches proxyBefore;
    private final ContextSwitches backendBefore;

    private Switches(Server proxy, Server backend) throws IOException {
        this.proxy = proxy;
        this.backend = backend;
        this.proxyBefore = proxy == null ? null : proxy.contextSwitches();
        this.backendBefore = backend.contextSwitches();
    }

    /** Starts counting for a measurement through {@code via} to {@code backend}. */
    static Switches start(Via via, Server backend) throws IOException {
        return new Switches(via.proxy().orElse(null), backend);
    }

    /** The counts since {@link #start} per one of {@code requests}; the proxy's rows only through a proxy. */
    Map<String, Double> per(double requests) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(BACKEND_SLEEPS.key(), backend.contextSwitches().minus(backendBefore).voluntary() / requests);
        if (proxy != null) {
            ContextSwitches p = proxy.contextSwitches().minus(proxyBefore);
            out.put(PROXY_SLEEPS.key(), p.voluntary() / requests);
            out.put(PROXY_PREEMPTED.key(), p.involuntary() / requests);
        }
        return out;
    }
}
