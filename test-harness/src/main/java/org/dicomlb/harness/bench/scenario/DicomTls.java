package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.Phase;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.load.EchoLoad;
import org.dicomlb.harness.bench.load.StoreScu;
import org.dicomlb.harness.bench.peer.DicomInstances;
import org.dicomlb.harness.bench.peer.StoreScp;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.FrontTls;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Metric;
import org.dicomlb.testkit.TestPki;
import org.dicomlb.tls.ClientTls;
import org.dicomlb.tls.TlsFileException;

/**
 * DICOM over TLS terminated by the proxy, plain DICOM to storescp behind it: dicomlb's dicom
 * listener with {@code tls} (BoringSSL through Netty's OpenSSL provider, PS3.15 B.12 profile)
 * against HAProxy in mode tcp with {@code ssl crt} on its bind (OpenSSL, the same versions and
 * suites). Both present one
 * certificate (RSA 2048, made for the run) and ask for no client certificate.
 *
 * <p>Two loads per measurement: C-STORE throughput (DCMTK storescu {@code +tla}, verifying the
 * proxy's certificate, one association per size) and the association rate (lb-dicom's C-ECHO SCU
 * over TLS, a new connection and handshake per association; dicomlb's client context resumes
 * TLS sessions as a TLS library does). There is no direct variant: storescp behind the proxies speaks plain DICOM.
 */
public final class DicomTls implements Scenario {
    private record Load(DicomInstances.Size size, int fullCount, int quickCount, Metric metric) {
    }

    private static final List<Load> LOADS = List.of(
            load(new DicomInstances.Size("ct-512k", 512, 512), "CT slice 512 KiB", 40, 4),
            load(new DicomInstances.Size("cr-8m", 2048, 2048), "CR image 8 MiB", 12, 2));
    static final int CONCURRENCY = 16;
    private static final Metric RATE = Metric.higher("associations", "TLS C-ECHO associations", "assoc/s");
    private static final Metric P50 = Metric.lower("p50", "p50 TLS association time", "ms");
    private static final Metric P99 = Metric.lower("p99", "p99 TLS association time", "ms");
    /** The proxy's CPU per association: a TLS handshake (or resumption) and two relayed connections. */
    private static final ProxyCpu.Metrics CPU = ProxyCpu.Metrics.per("association", ChronoUnit.MICROS);
    private static final int MAX_ASSOCIATIONS = 50_000;
    private static final Duration ASSOCIATION_TIMEOUT = Duration.ofSeconds(10);

    private static Load load(DicomInstances.Size size, String label, int full, int quick) {
        return new Load(size, full, quick, Metric.higher(size.label(), "TLS C-STORE " + label, "MiB/s"));
    }

    @Override
    public String name() {
        return "dicom-tls";
    }

    @Override
    public String summary() {
        return "DICOM over TLS terminated by the proxy (dicomlb: BoringSSL via Netty; HAProxy: ssl crt on the bind), storescp behind it:"
                + " storescu +tla C-STORE MiB/s, and " + CONCURRENCY + " (4 with --quick) TLS C-ECHO associations in flight.";
    }

    @Override
    public List<Metric> metrics() {
        List<Metric> m = new ArrayList<>(LOADS.stream().map(Load::metric).toList());
        m.addAll(List.of(RATE, P50, P99, CPU.process(), CPU.io()));
        return m;
    }

    @Override
    public List<Variant> variants() {
        return List.of(Variant.DICOMLB, Variant.HAPROXY);
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        Path scratch = ctx.scratch(name());
        FrontTls tls = certificates(scratch.resolve("pki"));
        List<Path> files = new ArrayList<>();
        List<Double> fileMib = new ArrayList<>();
        for (int i = 0; i < LOADS.size(); i++) {
            Path f = DicomInstances.generate(ctx, scratch.resolve("instances"), LOADS.get(i).size(), i);
            files.add(f);
            fileMib.add(Files.size(f) / (1024.0 * 1024.0));
        }
        ClientTls client;
        try {
            client = ClientTls.load(Optional.of(tls.ca()), true, Optional.empty(), Optional.empty(), Optional.empty());
        } catch (TlsFileException e) {
            throw new IOException("the run's own CA cannot be read: " + e.getMessage(), e);
        }
        Server scp = StoreScp.start(ctx, name(), ctx.layout().storescp());
        Route route = Route.dicom(ctx.layout().storescp(), ctx.dicomListenerMode(), StoreScp.AE_TITLE).withTls(tls);
        int concurrency = ctx.profile().pick(4, CONCURRENCY);
        List<String> storescuTls = List.of("+tla", "+cf", tls.ca().toString());
        return new OneBackend(scp, route, (via, phase) -> {
            Map<String, Double> out = new LinkedHashMap<>();
            for (int i = 0; i < LOADS.size(); i++) {
                Load l = LOADS.get(i);
                int count = phase == Phase.WARM_UP ? 1 : ctx.profile().pick(l.quickCount(), l.fullCount());
                out.put(l.metric().key(), StoreScu.mibPerSecond(ctx, via.address(), StoreScp.AE_TITLE, files.get(i), count,
                        storescuTls));
            }
            EchoLoad.Settings settings = new EchoLoad.Settings(concurrency, ctx.profile().duration(phase, via.variant()),
                    MAX_ASSOCIATIONS, ASSOCIATION_TIMEOUT);
            ProxyCpu cpu = ProxyCpu.start(via);
            EchoLoad.Result r = EchoLoad.run(via.address(), AeTitle.of(StoreScu.AE_TITLE), AeTitle.of(StoreScp.AE_TITLE), settings,
                    (alloc, address) -> client.newHandler(alloc, address, ASSOCIATION_TIMEOUT));
            if (r.failed() > 0 || r.succeeded() == 0) {
                throw new IOException("via " + via.variant().label() + " (" + phase.name().toLowerCase(Locale.ROOT) + "): "
                        + r.describeFailures());
            }
            out.putAll(Map.of(RATE.key(), r.perSecond(), P50.key(), r.percentileMillis(50), P99.key(), r.percentileMillis(99)));
            out.putAll(cpu.per(r.succeeded(), CPU));
            return out;
        });
    }

    /** A CA and the proxies' certificate for 127.0.0.1, made for this run. */
    public static FrontTls certificates(Path dir) throws IOException {
        TestPki pki = TestPki.create(dir, "bench");
        TestPki.Issued cert = pki.server("proxy", TestPki.Names.cn("proxy.bench.test").ip("127.0.0.1"));
        Path combined = dir.resolve("proxy-haproxy.pem");
        Files.writeString(combined, Files.readString(cert.chain()) + Files.readString(cert.key()));
        return new FrontTls(cert.chain(), cert.key(), combined, pki.caFile());
    }
}
