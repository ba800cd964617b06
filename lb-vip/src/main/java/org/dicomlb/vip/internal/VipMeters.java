package org.dicomlb.vip.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomlb.vip.VipState;
import org.dicomlb.vip.VipStatus;

/**
 * The VIP's meters, read from the published status: {@code dicomlb.vip.state} (one series per
 * state, 1 for the current one, as Prometheus shows enumerations), the effective priority, whether
 * this node can serve, and keepalived restarts.
 *
 * <p>Micrometer holds a gauge's state object weakly: the meters read the runtime's own published
 * reference, which lives as long as the runtime, never a lambda only they would hold.
 */
public final class VipMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    public VipMeters(MeterRegistry registry, AtomicReference<VipStatus> status) {
        this.registry = registry;
        for (VipState s : VipState.values()) {
            meters.add(Gauge.builder("dicomlb.vip.state", status, st -> st.get().state() == s ? 1 : 0)
                    .tag("state", s.label())
                    .description("1 for the VRRP state this node is in (master holds the VIP), 0 for the others")
                    .register(registry));
        }
        meters.add(Gauge.builder("dicomlb.vip.priority", status,
                        st -> st.get().effectivePriority() == null ? Double.NaN : st.get().effectivePriority())
                .description("The VRRP priority keepalived last reported for this node (the configured one minus any drop)")
                .register(registry));
        meters.add(Gauge.builder("dicomlb.vip.serving", status,
                        st -> !st.get().configured() ? Double.NaN : st.get().serving() ? 1 : 0)
                .description("1 when every tracked listener and pool can serve and the node is not demoted")
                .register(registry));
        meters.add(FunctionCounter.builder("dicomlb.vip.keepalived.restarts", status, st -> st.get().keepalivedRestarts())
                .description("keepalived processes that died and were started again")
                .register(registry));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
