package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.load.EchoLoad;
import org.dicomlb.harness.bench.load.StoreScu;
import org.dicomlb.harness.bench.peer.StoreScp;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Metric;

/**
 * DICOM association rate: a fixed number of associations in flight, each opening a connection,
 * associating, doing one C-ECHO and releasing, back to back, against storescp --fork. The load is
 * {@link EchoLoad} (lb-dicom's non-blocking C-ECHO SCU on one thread). A single failed association
 * fails the scenario, with the failures counted by kind. The issue sets no target for this number;
 * it is reported beside the others so a regression shows.
 *
 * <p>dicomlb's warm-up is longer here than elsewhere. At the couple of hundred associations per
 * second this path sustains on two shared cores, dicomlb's C2 compiler is still using about as much
 * CPU as its I/O threads after 5 s, and the rate keeps climbing for about 10,000 associations
 * (a minute); the 5 s warm-up of the other scenarios would compare a JVM half way through
 * compiling. The Netty relay, a JVM too, gets the same; direct and HAProxy (C, and storescp forks a
 * fresh child per association) keep the profile's warm-up.
 *
 * <p>With the Netty relay: an association is two relayed connections and a few small exchanges,
 * so the relay shows what those cost on dicomlb's transport before dicomlb reads a PDU.
 */
public final class DicomAssociationRate implements Scenario {
    static final int CONCURRENCY = 16;
    private static final Metric RATE = Metric.higher("associations", "C-ECHO associations", "assoc/s");
    private static final Metric P50 = Metric.lower("p50", "p50 association time", "ms");
    private static final Metric P99 = Metric.lower("p99", "p99 association time", "ms");
    /**
     * What the rate cannot show while storescp and the client take most of the two cores: the
     * proxy's own CPU ({@link ProxyCpu}: all its threads, and its I/O threads alone) per
     * association, which is two relayed TCP connections.
     */
    private static final ProxyCpu.Metrics CPU = ProxyCpu.Metrics.per("association", ChronoUnit.MICROS);
    /** A hard cap per measurement on top of the time limit. */
    private static final int MAX_ASSOCIATIONS = 50_000;
    private static final Duration ASSOCIATION_TIMEOUT = Duration.ofSeconds(10);
    /** dicomlb's warm-up in the full profile: this many associations, or this long at most. */
    static final int DICOMLB_WARM_UP_ASSOCIATIONS = 10_000;
    static final Duration DICOMLB_WARM_UP_LIMIT = Duration.ofSeconds(75);

    @Override
    public String name() {
        return "dicom-association-rate";
    }

    @Override
    public String summary() {
        return CONCURRENCY + " (4 with --quick) associations in flight (connect, A-ASSOCIATE, C-ECHO, A-RELEASE, close each),"
                + " from lb-dicom's C-ECHO SCU on one thread → storescp --fork; associations/s, association time and the proxy's CPU per association."
                + " Full profile: dicomlb and the Netty relay warm up with " + DICOMLB_WARM_UP_ASSOCIATIONS + " associations (at most "
                + DICOMLB_WARM_UP_LIMIT.toSeconds() + " s) for the JIT.";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(RATE, P50, P99, CPU.process(), CPU.io());
    }

    @Override
    public List<Variant> variants() {
        return Variant.WITH_NETTY_RELAY;
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        Server scp = StoreScp.start(ctx, name(), ctx.layout().storescp());
        Route route = Route.dicom(ctx.layout().storescp(), ctx.dicomListenerMode(), StoreScp.AE_TITLE);
        int concurrency = ctx.profile().pick(4, CONCURRENCY);
        AeTitle calling = AeTitle.of(StoreScu.AE_TITLE);
        AeTitle called = AeTitle.of(StoreScp.AE_TITLE);
        return new OneBackend(scp, route, (via, phase) -> {
            boolean longWarmUp = phase == Phase.WARM_UP && via.variant().isJvm() && !ctx.profile().quick();
            EchoLoad.Settings settings = longWarmUp
                    ? new EchoLoad.Settings(concurrency, DICOMLB_WARM_UP_LIMIT, DICOMLB_WARM_UP_ASSOCIATIONS, ASSOCIATION_TIMEOUT)
                    : new EchoLoad.Settings(concurrency, ctx.profile().duration(phase, via.variant()), MAX_ASSOCIATIONS, ASSOCIATION_TIMEOUT);
            ProxyCpu cpu = ProxyCpu.start(via);
            EchoLoad.Result r = EchoLoad.run(via.address(), calling, called, settings);
            if (r.failed() > 0 || r.succeeded() == 0) {
                throw new IOException("via " + via.variant().label() + " (" + phase.name().toLowerCase(Locale.ROOT)
                        + "): " + r.describeFailures());
            }
            Map<String, Double> out = new LinkedHashMap<>(Map.of(RATE.key(), r.perSecond(), P50.key(), r.percentileMillis(50),
                    P99.key(), r.percentileMillis(99)));
            out.putAll(cpu.per(r.succeeded(), CPU));
            return out;
        });
    }
}
