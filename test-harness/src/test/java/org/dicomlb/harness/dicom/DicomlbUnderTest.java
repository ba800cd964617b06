package org.dicomlb.harness.dicom;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.dnsproxy.DnsBackends;
import org.dicomlb.dnsproxy.Resolution;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.EngineStatus;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.testkit.Ports;

/**
 * dicomlb's engine running in-process from a YAML configuration, listening on 127.0.0.1, with
 * its access log captured: the thing under test between real DICOM peers.
 */
final class DicomlbUnderTest implements AutoCloseable {
    final int port;
    private final LogCapture log = LogCapture.accessLog();
    private final EngineFixture fx = new EngineFixture();

    /** Starts from the configuration {@code yaml.apply(port)} builds for the listening port. */
    static DicomlbUnderTest start(IntFunction<String> yaml) throws EngineException {
        int port = Ports.free("127.0.0.1");
        return new DicomlbUnderTest(yaml.apply(port), port);
    }

    private DicomlbUnderTest(String yaml, int port) throws EngineException {
        this.port = port;
        try {
            fx.start(yaml);
        } catch (EngineException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A one-listener configuration: a dicom listener on {@code port} with {@code listener} lines, then {@code pools}. */
    static String config(int port, String listener, String pools) {
        return """
                listeners:
                  - name: dicom
                    bind: 127.0.0.1:%d
                    mode: dicom
                %s
                pools:
                %s""".formatted(port, listener.indent(4), pools.indent(2));
    }

    String portText() {
        return Integer.toString(port);
    }

    /** Access-log lines so far, after waiting (bounded) until there are at least {@code n}. */
    List<String> accessLines(int n) {
        Eventually.until(() -> log.lines().size() >= n, Duration.ofSeconds(10), log::lines);
        return log.lines();
    }

    /**
     * The value of a counter series, e.g. {@code dicomlb_listener_rejected_total{listener="dicom",reason="source_rate"}},
     * once it reached {@code expected} (waiting at most 10 s). A refusal or failure is counted as
     * its connection ends, which can be a moment after the client saw its answer, so reading at
     * once may miss the last one (a CI run read 55 of 56).
     */
    double counter(String series, double expected) {
        Eventually.until(() -> fx.metric(series) >= expected, Duration.ofSeconds(10), () -> series + " = " + fx.metric(series));
        return fx.metric(series);
    }

    /** A backend's health as the status API shows it: starting, up, down ... */
    String health(String pool, String backend) {
        return backendStatus(pool, backend).health();
    }

    /** Why the status API says a backend is not serving (empty while it is). */
    String healthReason(String pool, String backend) {
        return backendStatus(pool, backend).healthReason();
    }

    /** A backend as the status API shows it. */
    EngineStatus.BackendStatus backendStatus(String pool, String backend) {
        return fx.engine.status().pools().stream().filter(p -> p.name().equals(pool)).findFirst().orElseThrow()
                .backends().stream().filter(b -> b.name().equals(backend)).findFirst().orElseThrow();
    }

    /**
     * The endpoint addresses of a pool's published snapshot: what the next association is balanced
     * over (a backend's status shows new endpoints a moment before the snapshot is republished).
     */
    List<String> poolAddresses(String pool) {
        return fx.engine.pool(pool).endpoints().stream().map(e -> SocketAddresses.format(e.address())).toList();
    }

    /** The current resolution of a dns backend ({@code pool/backend}), from the appliance's resolver. */
    Optional<Resolution> resolution(String id) {
        return fx.dns.resolution(id);
    }

    /** The appliance's resolver of dns backends (to follow each resolution it publishes). */
    DnsBackends dns() {
        return fx.dns;
    }

    @Override
    public void close() {
        fx.close();
        log.close();
    }
}
