package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.load.Wrk;
import org.dicomlb.harness.bench.peer.Nginx;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.FrontTls;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;

/**
 * New HTTPS connections per second: wrk over TLS with {@code Connection: close}, so every request
 * is a new TCP connection and TLS handshake with the proxy, which terminates TLS and forwards the
 * request in its HTTP mode to nginx (dicomlb: an http listener with {@code tls}, JDK TLS; HAProxy:
 * {@code mode http} with {@code ssl crt} on its bind, OpenSSL). Both present the same certificate
 * (RSA 2048, made for the run). There is no direct variant: nginx behind the proxies speaks plain
 * HTTP.
 */
public final class HttpsHandshakes implements Scenario {
    static final int CONNECTIONS = 16;
    private static final Metric RATE = Metric.higher("handshakes", "HTTPS connections (handshake and one request)", "conn/s")
            .withGoal(new Goal.AtLeastTimes(Variant.HAPROXY, 1.0));
    private static final Metric P50 = Metric.lower("p50", "p50 connection and request", "ms");
    private static final Metric P99 = Metric.lower("p99", "p99 connection and request", "ms");

    @Override
    public String name() {
        return "https-handshakes";
    }

    @Override
    public String summary() {
        return "wrk -t1 -c" + CONNECTIONS + " (4 with --quick) over TLS with Connection: close → the proxy terminating TLS in its"
                + " HTTP mode → nginx (1 KiB file): a new connection and handshake per request.";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(RATE, P50, P99);
    }

    @Override
    public List<Variant> variants() {
        return List.of(Variant.DICOMLB, Variant.HAPROXY);
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        FrontTls tls = DicomTls.certificates(ctx.scratch(name()).resolve("pki"));
        Server nginx = Nginx.start(ctx, name(), ctx.layout().nginx());
        int connections = ctx.profile().pick(4, CONNECTIONS);
        return new OneBackend(nginx, Route.http(ctx.layout().nginx()).withTls(tls), (via, phase) -> {
            Wrk.Result r = Wrk.run(ctx, "https", via.address(), Nginx.PATH, 1, connections,
                    ctx.profile().duration(phase, via.variant()), true);
            return Map.of(RATE.key(), r.requestsPerSecond(), P50.key(), r.p50Millis(), P99.key(), r.p99Millis());
        });
    }
}
