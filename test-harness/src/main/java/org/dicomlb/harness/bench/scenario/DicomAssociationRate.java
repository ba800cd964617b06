package org.dicomlb.harness.bench.scenario;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.BenchContext;
import org.dicomlb.harness.bench.load.AssociationLoad;
import org.dicomlb.harness.bench.load.EchoscuLoad;
import org.dicomlb.harness.bench.load.StoreScu;
import org.dicomlb.harness.bench.peer.StoreScp;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.bench.report.Metric;

/**
 * DICOM association rate: concurrent clients each opening an association, doing one C-ECHO and
 * releasing, back to back, against storescp --fork. The load comes from an {@link AssociationLoad}
 * (echoscu processes today). The issue sets no target for this number; it is reported beside the
 * others so a regression shows.
 */
public final class DicomAssociationRate implements Scenario {
    private static final Metric RATE = Metric.higher("associations", "C-ECHO associations", "assoc/s");
    /** A hard cap per measurement on top of the time limit. */
    private static final int MAX_ASSOCIATIONS = 20_000;

    @Override
    public String name() {
        return "dicom-association-rate";
    }

    @Override
    public String summary() {
        return "8 (2 with --quick) concurrent echoscu loops (one association + C-ECHO + release each) → storescp --fork;"
                + " associations/s. Bounded by echoscu process starts, not by the proxies.";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(RATE);
    }

    @Override
    public Session open(BenchContext ctx) throws IOException, InterruptedException {
        AssociationLoad load = EchoscuLoad.create(ctx.children(), ctx.scratch(name()));
        Server scp = StoreScp.start(ctx, name(), ctx.layout().storescp());
        Route route = Route.dicom(ctx.layout().storescp(), ctx.dicomListenerMode(), StoreScp.AE_TITLE);
        int concurrency = ctx.profile().pick(2, 8);
        return new OneBackend(scp, route, (via, phase) -> {
            AssociationLoad.Result r = load.run(via.address(), StoreScu.AE_TITLE, StoreScp.AE_TITLE, concurrency,
                    ctx.profile().duration(phase), MAX_ASSOCIATIONS);
            if (r.failed() > 0 || r.succeeded() == 0) {
                throw new IOException(r.failed() + " of " + (r.failed() + r.succeeded()) + " associations via "
                        + via.variant().label() + " failed; first: " + r.firstFailure());
            }
            return Map.of(RATE.key(), r.perSecond());
        });
    }
}
