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
import org.dicomlb.harness.bench.Via;
import org.dicomlb.harness.bench.load.EchoLoad;
import org.dicomlb.harness.bench.load.StoreScu;
import org.dicomlb.harness.bench.peer.StoreScp;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;

/**
 * Warm-up: how fast a freshly started proxy relays DICOM associations in its first seconds, next to
 * its own steady state. A modality fleet reconnects all at once after a network blip, a restart or
 * a VIP takeover, so the first seconds are when the rate matters most, and a JVM compiles its hot
 * paths during exactly those seconds. Every measurement starts a fresh proxy (for dicomlb: until
 * it listens and its C-ECHO check reports storescp up), then runs the association load of
 * {@link DicomAssociationRate} without any warm-up: the first window is recorded, the load carries
 * on unrecorded until the process has relayed {@value #STEADY_AFTER} associations (at most
 * {@link #WARM_LIMIT}), and a last window of the same length is the steady state. HAProxy gets the
 * same schedule, so its own ratio shows what the machine and storescp do to the two windows.
 */
public final class DicomWarmUp implements Scenario {
    private static final Metric FIRST = Metric.higher("first", "associations/s, first 10 s after start", "assoc/s");
    private static final Metric STEADY = Metric.higher("steady", "associations/s, steady state", "assoc/s");
    private static final Metric RATIO = Metric.higher("ratio", "first 10 s ÷ own steady state", "×")
            .withGoal(new Goal.AtLeast(0.8, "×"));
    /** The proxy's CPU per association in the first window: what compiling costs on top of relaying. */
    private static final ProxyCpu.Metrics CPU = ProxyCpu.Metrics.per("association, first 10 s", ChronoUnit.MICROS);
    /** The same in the steady window: the rate is bounded by storescp and the shared cores, the CPU shows the JIT's share. */
    private static final ProxyCpu.Metrics STEADY_CPU = ProxyCpu.Metrics.per("association, steady state", ChronoUnit.MICROS,
            "-steady");
    /** The steady window starts once this many associations went through the fresh process ... */
    static final int STEADY_AFTER = 10_000;
    /** ... or after this much unrecorded load, whichever comes first (the association-rate scenario's warm-up). */
    static final Duration WARM_LIMIT = DicomAssociationRate.DICOMLB_WARM_UP_LIMIT;
    private static final int MAX_ASSOCIATIONS = 50_000;
    private static final Duration ASSOCIATION_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "dicom-warm-up";
    }

    @Override
    public String summary() {
        return "A fresh proxy, no warm-up: C-ECHO associations/s (" + DicomAssociationRate.CONCURRENCY
                + " in flight, 4 with --quick) in its first 10 s (2 s with --quick) against the same after "
                + STEADY_AFTER + " associations (at most " + WARM_LIMIT.toSeconds() + " s of load).";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(FIRST, STEADY, RATIO, CPU.process(), CPU.io(), STEADY_CPU.process(), STEADY_CPU.io());
    }

    @Override
    public List<Variant> variants() {
        return List.of(Variant.DICOMLB, Variant.HAPROXY);
    }

    @Override
    public boolean freshProxyEachRun() {
        return true;
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        Server scp = StoreScp.start(ctx, name(), ctx.layout().storescp());
        Route route = Route.dicom(ctx.layout().storescp(), ctx.dicomListenerMode(), StoreScp.AE_TITLE);
        int concurrency = ctx.profile().pick(4, DicomAssociationRate.CONCURRENCY);
        Duration window = Duration.ofSeconds(ctx.profile().pick(2, 10));
        int steadyAfter = ctx.profile().pick(500, STEADY_AFTER);
        Duration warmLimit = ctx.profile().quick() ? Duration.ofSeconds(2) : WARM_LIMIT;
        AeTitle calling = AeTitle.of(StoreScu.AE_TITLE);
        AeTitle called = AeTitle.of(StoreScp.AE_TITLE);
        OneBackend session = new OneBackend(scp, route, (via, phase) -> {
            ProxyCpu cpu = ProxyCpu.start(via);
            EchoLoad.Result first = load(via, calling, called, new EchoLoad.Settings(concurrency, window, MAX_ASSOCIATIONS,
                    ASSOCIATION_TIMEOUT), "first window");
            Map<String, Double> firstCpu = cpu.per(first.succeeded(), CPU);
            long more = Math.max(1, steadyAfter - first.succeeded());
            load(via, calling, called, new EchoLoad.Settings(concurrency, warmLimit, (int) Math.min(MAX_ASSOCIATIONS, more),
                    ASSOCIATION_TIMEOUT), "warming");
            ProxyCpu steadyCpu = ProxyCpu.start(via);
            EchoLoad.Result steady = load(via, calling, called, new EchoLoad.Settings(concurrency, window, MAX_ASSOCIATIONS,
                    ASSOCIATION_TIMEOUT), "steady window");
            Map<String, Double> out = new LinkedHashMap<>();
            out.put(FIRST.key(), first.perSecond());
            out.put(STEADY.key(), steady.perSecond());
            out.put(RATIO.key(), first.perSecond() / steady.perSecond());
            out.putAll(firstCpu);
            out.putAll(steadyCpu.per(steady.succeeded(), STEADY_CPU));
            return out;
        });
        return new Session() {
            @Override
            public Route route() {
                return session.route();
            }

            /** No warm-up: the cold start is the measurement. */
            @Override
            public List<String> prepare(Map<Variant, Via> vias) {
                return List.of("Each measurement starts a fresh proxy; the first window opens once it listens (dicomlb: and its"
                        + " C-ECHO check reports storescp up), with no warm-up traffic before it.");
            }

            @Override
            public Map<String, Double> measure(Via via, Phase phase) throws IOException, InterruptedException {
                return session.measure(via, phase);
            }

            @Override
            public void close() throws IOException {
                session.close();
            }
        };
    }

    private static EchoLoad.Result load(Via via, AeTitle calling, AeTitle called, EchoLoad.Settings settings, String what)
            throws IOException, InterruptedException {
        EchoLoad.Result r = EchoLoad.run(via.address(), calling, called, settings);
        if (r.failed() > 0 || r.succeeded() == 0) {
            throw new IOException("via " + via.variant().label() + " (" + what.toLowerCase(Locale.ROOT) + "): " + r.describeFailures());
        }
        return r;
    }
}
