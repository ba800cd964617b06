package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.load.StoreScu;
import org.dicomlb.harness.bench.peer.DicomInstances;
import org.dicomlb.harness.bench.peer.StoreScp;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Goal;
import org.dicomlb.harness.bench.report.Metric;

/**
 * DICOM C-STORE throughput: DCMTK storescu → (proxy) → storescp, one association per size
 * sending one generated instance many times. dicomlb's listener runs in the context's DICOM
 * listener mode ({@code dicom} by default) and checks storescp with C-ECHO; HAProxy is in mode tcp
 * with its TCP connect check either way.
 *
 * <p>DCMTK 3.6.7 as packaged does not set TCP_NODELAY, so the last partial segment of every
 * C-STORE waits for the receiver's delayed ACK (tens of milliseconds). That stall is in the
 * client's socket in all three variants and dominates small instances; the large sizes show
 * what copying through a proxy costs.
 */
public final class DicomStore implements Scenario {
    /** Instance sizes of real modalities, and how many of each one measurement sends (full, quick). */
    private record Load(DicomInstances.Size size, int fullCount, int quickCount, Metric metric) {
    }

    private static final List<Load> LOADS = List.of(
            load(new DicomInstances.Size("ct-512k", 512, 512), "CT slice 512 KiB", 40, 4),
            load(new DicomInstances.Size("cr-8m", 2048, 2048), "CR image 8 MiB", 12, 2),
            // A screening mammography study is four views, sent in one association; with three the
            // measurement lasted 0.3 s and storescu's start-up and the association set-up weighed in.
            load(new DicomInstances.Size("mg-40m", 4096, 5120), "mammogram 40 MiB", 4, 1));

    /**
     * The large instances are CPU-bound on two cores (storescu and storescp take most of them),
     * so the throughput ratio shows a proxy's cost only through the CPU it takes from the others.
     * These show it directly, per MiB sent over every size of the measurement ({@link ProxyCpu}:
     * the whole process, and the I/O threads alone). The kernel's TCP work for the proxy's two
     * sockets is in both.
     */
    private static final ProxyCpu.Metrics CPU = ProxyCpu.Metrics.per("MiB sent", ChronoUnit.MILLIS);

    private static Load load(DicomInstances.Size size, String label, int full, int quick) {
        Metric m = Metric.higher(size.label(), "C-STORE " + label, "MiB/s").withGoal(new Goal.AtLeastTimes(Variant.DIRECT, 0.95));
        return new Load(size, full, quick, m);
    }

    @Override
    public String name() {
        return "dicom-cstore";
    }

    @Override
    public String summary() {
        return "storescu → storescp --ignore, one association per size, instances generated with dump2dcm; MiB/s of files sent.";
    }

    @Override
    public List<Metric> metrics() {
        List<Metric> metrics = new ArrayList<>(LOADS.stream().map(Load::metric).toList());
        metrics.add(CPU.process());
        metrics.add(CPU.io());
        return metrics;
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        Path data = ctx.scratch(name()).resolve("instances");
        List<Path> files = new ArrayList<>();
        List<Double> fileMib = new ArrayList<>();
        for (int i = 0; i < LOADS.size(); i++) {
            Path f = DicomInstances.generate(ctx, data, LOADS.get(i).size(), i);
            files.add(f);
            fileMib.add(Files.size(f) / (1024.0 * 1024.0));
        }
        Server scp = StoreScp.start(ctx, name(), ctx.layout().storescp());
        Route route = Route.dicom(ctx.layout().storescp(), ctx.dicomListenerMode(), StoreScp.AE_TITLE);
        return new OneBackend(scp, route, (via, phase) -> {
            // Warm-up: the measured mix, again and again for the profile's warm-up time (dicomlb's
            // is its JIT's: a fresh proxy's compiler threads took about 1.4 ms of CPU per MiB over
            // the first 160 MiB and 0.1-0.3 over the next 800, docs/benchmarks.md), at least once.
            long warmUntil = System.nanoTime() + ctx.profile().duration(phase, via.variant()).toNanos();
            Map<String, Double> out;
            do {
                out = new LinkedHashMap<>();
                ProxyCpu cpu = ProxyCpu.start(via);
                double mib = 0;
                for (int i = 0; i < LOADS.size(); i++) {
                    Load l = LOADS.get(i);
                    int count = ctx.profile().pick(l.quickCount(), l.fullCount());
                    out.put(l.metric().key(), StoreScu.mibPerSecond(ctx, via.address(), StoreScp.AE_TITLE, files.get(i), count));
                    mib += count * fileMib.get(i);
                }
                out.putAll(cpu.per(mib, CPU));
            } while (phase == Phase.WARM_UP && System.nanoTime() - warmUntil < 0);
            return out;
        });
    }
}
