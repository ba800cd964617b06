package org.dicomlb.engine.health;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.dicomlb.engine.config.OnDown;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.EndpointHealth;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.EndpointObserver;
import org.dicomlb.healthcheck.CheckTarget;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.HealthEvent;
import org.dicomlb.healthcheck.HealthStatus;
import org.dicomlb.healthcheck.config.DicomEchoProbe;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.passive.PassiveOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the appliance's health checker to the pools. The checker probes every checked
 * endpoint and publishes transitions; this bridge applies them on the engine's control thread
 * (endpoint health, pool snapshot republished, slow-start ramp, on-down shutdown) and feeds what
 * live traffic sees back to the checker as passive health. The checker is shared with other
 * owners (the GSLB's members): the pools' targets are owner {@value #OWNER}.
 *
 * <p>A backend in admin state {@code maint} is not probed (its checks would only flap while it
 * is being worked on): its endpoints' health is {@link EndpointHealth.State#PAUSED}, and when it
 * returns to {@code ready} they start over like new endpoints.
 */
public final class HealthBridge implements EndpointObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthBridge.class);
    private static final long RAMP_TICK_MILLIS = 250;
    /** The engine's pools, as an owner of health-check targets. */
    public static final String OWNER = "pools";

    private final HealthChecker checker;
    private final ScheduledExecutorService control;
    private final Function<String, Endpoint> endpoints;
    private final Consumer<Endpoint> closeConnections;
    private final Runnable changed;
    private final AutoCloseable subscription;
    /** Endpoints in slow start and when their ramp began (control thread only). */
    private final Map<Endpoint, Long> ramps = new HashMap<>();
    private ScheduledFuture<?> rampTicker;
    private int checked;

    /**
     * @param endpoints        finds a current endpoint by id; control thread
     * @param closeConnections ends an endpoint's established connections (on-down: shutdown)
     * @param changed          told after a health event was applied and its pool republished
     */
    public HealthBridge(HealthChecker checker, ScheduledExecutorService control, Function<String, Endpoint> endpoints,
                        Consumer<Endpoint> closeConnections, Runnable changed) {
        this.checker = checker;
        this.control = control;
        this.endpoints = endpoints;
        this.closeConnections = closeConnections;
        this.changed = changed;
        this.subscription = checker.subscribe(OWNER, e -> control.execute(() -> apply(e)));
    }

    /**
     * Re-derives the checked targets from the pools (after a reload, an address change or an admin
     * state change). Control thread only. Unchanged targets keep their state and schedule.
     */
    public void update(Collection<Pool> pools) {
        List<CheckTarget> targets = new ArrayList<>();
        List<Endpoint> probed = new ArrayList<>();
        for (Pool pool : pools) {
            PoolConfig pc = pool.config();
            for (Backend b : pool.backends()) {
                for (Endpoint e : b.endpoints()) {
                    if (b.adminState() == AdminState.MAINT) {
                        pool.setHealth(e, EndpointHealth.PAUSED);
                    } else if (pc.healthCheck().isEmpty()) {
                        pool.setHealth(e, EndpointHealth.UNCHECKED);
                    } else {
                        targets.add(new CheckTarget(e.id(), e.address(), checkFor(pc, pc.healthCheck().get(), b), labels(e)));
                        probed.add(e);
                    }
                }
            }
        }
        checked = targets.size();
        checker.update(OWNER, targets).join();
        // Read after the checker took the targets: an id whose address changed (a dns backend's
        // one endpoint, now at another address) is checked from scratch, and must not show the
        // old address's state, down above all, while its first probes run.
        for (Endpoint e : probed) {
            checker.state(e.id()).ifPresentOrElse(
                    s -> show(e, s.status(), s.lastFailureReason().orElse("")),
                    () -> show(e, HealthStatus.STARTING, ""));
        }
        pools.forEach(Pool::republish);
    }

    /** Endpoints checked now (each may have a probe in flight). */
    public int checked() {
        return checked;
    }

    /**
     * Meter tags of an endpoint's checks: its pool and backend; an endpoint of a backend with
     * several addresses adds its address, so each gets its own series.
     */
    private static Map<String, String> labels(Endpoint e) {
        if (e.id().contains("@")) {
            return Map.of("pool", e.pool().name(), "backend", e.name(), "address",
                    e.addressText());
        }
        return Map.of("pool", e.pool().name(), "backend", e.name());
    }

    /**
     * A dicom-echo check without its own {@code called-ae} calls each backend by the backend's own
     * {@code called-ae}, the title the backend expects when dicomlb rewrites associations to it; in
     * a pool with {@code tls} it speaks TLS as the pool's connections do.
     */
    private static HealthCheckConfig checkFor(PoolConfig pool, HealthCheckConfig c, Backend b) {
        if (!(c.probe() instanceof DicomEchoProbe echo)) {
            return c;
        }
        DicomEchoProbe probe = echo;
        if (echo.calledAe().isEmpty() && b.config().calledAe().isPresent()) {
            probe = probe.withCalledAe(b.config().calledAe().get());
        }
        if (pool.tls().isPresent()) {
            probe = probe.withTls(pool.tls().get());
        }
        return probe == echo ? c : c.withProbe(probe);
    }

    /**
     * Shows an endpoint's checked health; a failure reason only while it is not serving, so the
     * status page never pairs "up" with an old failure.
     */
    private static void show(Endpoint e, HealthStatus status, String failureReason) {
        EndpointHealth.State state = switch (status) {
            case STARTING -> EndpointHealth.State.STARTING;
            case UP -> EndpointHealth.State.UP;
            case DOWN -> EndpointHealth.State.DOWN;
        };
        e.pool().setHealth(e, new EndpointHealth(state, status.serving() ? "" : failureReason));
    }

    private void apply(HealthEvent ev) {
        Endpoint e = endpoints.apply(ev.id());
        // An event can be queued before the backend went into maint (which stops its checks):
        // maint wins, and nothing of a late "down" (health, on-down shutdown) applies to it.
        if (e == null || e.backend().adminState() == AdminState.MAINT) {
            return;
        }
        Pool pool = e.pool();
        boolean serving = ev.to().serving();
        // The ramp's zero weight is in place before "up" is visible, so no reader (status page,
        // a test) sees a recovered endpoint at full weight for an instant.
        if (ev.from() == HealthStatus.DOWN && serving) {
            startRamp(e);
        }
        show(e, ev.to(), ev.reason());
        if (!serving) {
            ramps.remove(e);
            if (pool.config().onDown() == OnDown.SHUTDOWN && e.active() > 0) {
                LOG.info("backend {} is down and its pool has on-down: shutdown; closing its {} connection(s)",
                        e.id(), e.active());
                closeConnections.accept(e);
            }
        }
        pool.republish();
        changed.run();
    }

    /**
     * Starts the slow-start ramp of an endpoint that just became usable again (health up, or
     * admin ready). Control thread only.
     */
    public void startRamp(Endpoint e) {
        Duration d = e.pool().config().slowStart();
        if (d.isZero()) {
            return;
        }
        ramps.put(e, System.nanoTime());
        e.pool().setWeightScale(e, 0);
        if (rampTicker == null) {
            rampTicker = control.scheduleAtFixedRate(this::tickRamps, RAMP_TICK_MILLIS, RAMP_TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void tickRamps() {
        long now = System.nanoTime();
        Set<Pool> touched = new HashSet<>();
        var it = ramps.entrySet().iterator();
        while (it.hasNext()) {
            var r = it.next();
            Endpoint e = r.getKey();
            long total = Math.max(1, e.pool().config().slowStart().toNanos());
            long permille = Math.min(1000, (now - r.getValue()) * 1000 / total);
            e.pool().setWeightScale(e, permille);
            touched.add(e.pool());
            if (permille >= 1000) {
                it.remove();
            }
        }
        touched.forEach(Pool::republish);
        if (!touched.isEmpty()) {
            // The weights new connections use changed: parts that render pools elsewhere (the
            // kernel's slot tables) follow the ramp too.
            changed.run();
        }
        if (ramps.isEmpty() && rampTicker != null) {
            rampTicker.cancel(false);
            rampTicker = null;
        }
    }

    // ---- passive health: called from event loops, must not block ------------------------------

    @Override
    public void failed(Endpoint endpoint, String reason, InetAddress client) {
        checker.report(endpoint.id(), PassiveOutcome.CONNECT_FAILED, client);
    }

    @Override
    public void rejected(Endpoint endpoint, String reason, InetAddress client) {
        checker.report(endpoint.id(), PassiveOutcome.REJECTED, client);
    }

    @Override
    public void succeeded(Endpoint endpoint, InetAddress client) {
        checker.report(endpoint.id(), PassiveOutcome.SUCCESS, client);
    }

    /** Stops following the checker and withdraws the pools' targets (the checker itself is the appliance's). */
    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception ignored) {
            // closing anyway
        }
        if (rampTicker != null) {
            rampTicker.cancel(false);
        }
        checker.update(OWNER, List.of());
    }
}
