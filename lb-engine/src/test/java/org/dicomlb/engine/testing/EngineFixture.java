package org.dicomlb.engine.testing;

import org.dicomlb.testkit.Ports;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.dicomlb.dnsproxy.DnsBackends;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.io.EventLoops;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.ReloadResult;

/**
 * A running engine, built from shared parts the way the appliance builds it (event loops, one
 * health checker, a Prometheus registry, the access log to the {@code dicomlb.access} logger),
 * plus test backends on 127.0.0.11, .12, .13 ..., cleaned up together.
 */
public final class EngineFixture implements AutoCloseable {
    public final List<TestBackend> backends = new ArrayList<>();
    public final int listenPort = Ports.free("127.0.0.1");
    public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private EventLoops loops;
    private HealthChecker health;
    /** The appliance's resolver of dns backends, on its own loop as the appliance has it. */
    public DnsBackends dns;
    public Engine engine;

    public EngineFixture backends(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            backends.add(TestBackend.start("b" + (i + 1), "127.0.0." + (11 + i)));
        }
        return this;
    }

    public TestBackend backend(int i) {
        return backends.get(i);
    }

    /** YAML list items for the first {@code n} backends, with extra flow keys per backend. */
    public String backendItems(String... extras) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < backends.size(); i++) {
            String extra = i < extras.length && !extras[i].isEmpty() ? ", " + extras[i] : "";
            sb.append("      - { name: ").append(backends.get(i).name()).append(", address: ")
                    .append(backends.get(i).hostPort()).append(extra).append(" }\n");
        }
        return sb.toString();
    }

    /**
     * A one-listener, one-pool config over all backends. Health checks are off unless
     * {@code poolSettings} configures one, so tests of balancing see no probe connections.
     */
    public String config(String poolSettings, String... backendExtras) {
        if (!poolSettings.contains("health-check")) {
            poolSettings = poolSettings.isEmpty() ? "health-check: none" : poolSettings + "\n    health-check: none";
        }
        return """
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p, timeouts: { connect: 1s } }
                pools:
                  - name: p
                %s
                    backends:
                %s""".formatted(listenPort, poolSettings.isEmpty() ? "" : "    " + poolSettings, backendItems(backendExtras));
    }

    public EngineFixture start(String yaml) throws EngineException {
        loops = EventLoops.create(true);
        health = HealthChecker.builder().meterRegistry(registry).transport(ProbeTransport.on(loops.group("health", 1))).build();
        EventLoops.Group dnsLoop = loops.group("dns", 1);
        dns = DnsBackends.builder(dnsLoop.group(), dnsLoop.transport()).meterRegistry(registry).build();
        engine = new Engine(new Engine.Parts(loops.group("io", 2), health, registry, AccessLog.toLogger(), dns));
        engine.start(Configs.engine(yaml));
        return this;
    }

    public ReloadResult apply(String yaml) {
        return engine.apply(Configs.engine(yaml)).join();
    }

    /** The endpoint of backend {@code name} of pool {@code p} (the fixture's backends have one address each). */
    public org.dicomlb.engine.pool.Endpoint endpoint(String name) {
        return engine.pool("p").backend(name).single().orElseThrow();
    }

    public InetSocketAddress front() {
        return new InetSocketAddress("127.0.0.1", listenPort);
    }

    /** The current value of a metric line in /metrics format, e.g. {@code dicomlb_backend_connections_total{backend="b1",pool="p"}}. */
    public double metric(String seriesPrefix) {
        return Metrics.value(registry, seriesPrefix);
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
            dns.close();
            health.close();
            loops.close();
        }
        backends.forEach(TestBackend::close);
    }
}
