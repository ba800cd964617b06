package org.dicomlb.healthcheck.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.dicomlb.config.Durations;
import org.dicomlb.config.Section;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.CheckTarget;
import org.dicomlb.healthcheck.HealthCheck;
import org.dicomlb.healthcheck.HealthEvent;
import org.dicomlb.healthcheck.HealthState;
import org.dicomlb.healthcheck.HealthStatus;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.passive.PassiveFilter;
import org.dicomlb.healthcheck.passive.PassiveOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checker's machinery behind {@link org.dicomlb.healthcheck.HealthChecker}: targets, the
 * probe life cycle, the state machine and passive reports. Methods marked "control thread" run
 * only on the {@link ControlScheduler}; the others are safe from any thread.
 */
public final class CheckerCore {
    private static final Logger log = LoggerFactory.getLogger(CheckerCore.class);
    /** Passive reports waiting for the control thread; beyond this they are dropped, not queued. */
    static final int MAX_PENDING_REPORTS = 10_000;
    /**
     * How long past its timeout a probe may take before the checker gives up on it. Every check
     * enforces the timeout itself and says which phase ran out (connect, association, echo
     * response); this backstop only catches a check that never answers, so it must not race them.
     */
    static final Duration BACKSTOP_GRACE = Duration.ofMillis(50);

    private final ControlScheduler control;
    private final MeterRegistry registry;
    private final RandomGenerator random;
    private final Consumer<HealthEvent> publish;
    private final AtomicInteger pendingReports = new AtomicInteger();
    private final Counter droppedReports;
    /** Replaced (never mutated) by the control thread; read by any thread. */
    private volatile Map<String, Target> targets = Map.of();

    public CheckerCore(ControlScheduler control, MeterRegistry registry, RandomGenerator random,
                       Consumer<HealthEvent> publish) {
        this.control = control;
        this.registry = registry;
        this.random = random;
        this.publish = publish;
        this.droppedReports = Counter.builder("dicomlb.health.passive.dropped")
                .description("passive reports dropped because the checker was too far behind").register(registry);
    }

    // ---- reconcile (control thread) -------------------------------------------------------------

    /** Control thread: makes the checked set equal to {@code wanted}; {@code checks} holds a check per id. */
    public void reconcile(List<CheckTarget> wanted, Map<String, HealthCheck> checks) {
        Map<String, Target> old = targets;
        Map<String, Target> next = new HashMap<>();
        for (CheckTarget ct : wanted) {
            Target t = old.get(ct.id());
            HealthCheck check = checks.get(ct.id());
            if (t == null) {
                t = start(ct, check, HealthStatus.STARTING);
            } else if (!t.address.equals(ct.address())) {
                // Another server behind the same name: what we knew about the old one does not carry over.
                stop(t);
                HealthStatus before = t.state.status();
                t = start(ct, check, before);
                log.info("health {}: address changed to {}; checking it from scratch", ct.id(), SocketAddresses.format(ct.address()));
            } else if (!t.config.equals(ct.config()) || !t.labels.equals(ct.labels())) {
                reconfigure(t, ct, check);
            }
            next.put(ct.id(), t);
        }
        for (Target t : old.values()) {
            if (next.get(t.id) != t && !t.stopped) {
                stop(t);
            }
        }
        targets = Map.copyOf(next);
    }

    private Target start(CheckTarget ct, HealthCheck check, HealthStatus previous) {
        Target t = new Target(ct.id(), ct.address(), control.now());
        configure(t, ct.config(), check);
        t.labels = ct.labels();
        t.meters = new TargetMeters(registry, t.labels, ct.config().type(), () -> t.state.serving());
        if (previous != HealthStatus.STARTING) {
            HealthEvent e = new HealthEvent(t.id, previous, HealthStatus.STARTING,
                    "address changed to " + SocketAddresses.format(ct.address()), t.state.since());
            publish.accept(e);
        }
        // A random first probe within fast-interval: a thousand targets added at once are not
        // probed in the same millisecond, and a dead one is found soon after boot.
        schedule(t, randomBelow(ct.config().fastInterval()));
        return t;
    }

    private void reconfigure(Target t, CheckTarget ct, HealthCheck check) {
        HealthCheckConfig config = ct.config();
        if (t.inFlight != null) {
            t.inFlight.abandon();
            t.inFlight = null;
        }
        boolean retag = t.config.type() != config.type() || !t.labels.equals(ct.labels());
        configure(t, config, check);
        if (retag) {
            t.meters.remove();
            t.labels = ct.labels();
            t.meters = new TargetMeters(registry, t.labels, config.type(), () -> t.state.serving());
        }
        schedule(t, randomBelow(Target.pause(t.state, config)));
    }

    private void configure(Target t, HealthCheckConfig config, HealthCheck check) {
        t.config = config;
        t.check = Objects.requireNonNull(check, "check");
        t.probeAddress = config.probeAddress(t.address);
        t.passive = new PassiveFilter(config.observe(), config.fastInterval().toNanos());
        t.observing = config.observe().enabled();
        t.tallying = false;
    }

    private void stop(Target t) {
        t.stopped = true;
        if (t.next != null) {
            t.next.cancel();
            t.next = null;
        }
        if (t.inFlight != null) {
            t.inFlight.abandon();
            t.inFlight = null;
        }
        t.meters.remove();
    }

    /** Control thread: stops every target (on close). */
    public void stopAll() {
        targets.values().forEach(this::stop);
        targets = Map.of();
    }

    // ---- probes (control thread) ----------------------------------------------------------------

    private void schedule(Target t, long delayNanos) {
        if (t.next != null) {
            t.next.cancel();
        }
        t.next = control.schedule(() -> probe(t), delayNanos);
    }

    private void probe(Target t) {
        if (t.next != null) {
            t.next.cancel(); // when a passive decision brings the probe forward
            t.next = null;
        }
        if (t.stopped || t.inFlight != null) {
            return;
        }
        Duration timeout = t.config.timeout();
        Target.Probe p = new Target.Probe(t, control.nanoTime());
        t.inFlight = p;
        CompletableFuture<CheckResult> f;
        try {
            f = Objects.requireNonNull(t.check.probe(t.probeAddress, timeout), "a check returned no future");
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(CheckResult.failure(Failures.describe(e)));
        }
        p.future = f;
        p.deadline = control.schedule(() -> finish(p, CheckResult.timeout(timeout)), timeout.plus(BACKSTOP_GRACE).toNanos());
        f.whenComplete((r, e) -> control.execute(() -> finish(p, r != null ? r : Failures.result(e, timeout))));
    }

    private void finish(Target.Probe p, CheckResult r) {
        Target t = p.target;
        if (t.inFlight != p) {
            return; // timed out, abandoned or stopped meanwhile
        }
        t.inFlight = null;
        p.abandon();
        Duration took = Duration.ofNanos(control.nanoTime() - p.startNanos);
        t.meters.probed(r.outcome(), took);
        apply(t, Target.afterProbe(t.state, r, took, t.config.rise(), t.config.fall(), control.now()));
        schedule(t, jittered(Target.pause(t.state, t.config), t.config.spreadPercent()));
    }

    private void apply(Target t, Target.Step step) {
        HealthState before = t.state;
        t.state = step.state();
        if (!step.transition(before)) {
            return;
        }
        t.passive.reset();
        t.tallying = false;
        HealthStatus to = step.state().status();
        t.meters.transition(to);
        if (to == HealthStatus.DOWN) {
            log.warn("health {}: {} -> {}: {}", t.id, before.status(), to, step.reason());
        } else {
            log.info("health {}: {} -> {}: {}", t.id, before.status(), to, step.reason());
        }
        publish.accept(new HealthEvent(t.id, before.status(), to, step.reason(), step.state().since()));
    }

    private long randomBelow(Duration d) {
        long n = d.toNanos();
        return n <= 1 ? 0 : random.nextLong(n);
    }

    private long jittered(Duration base, int spreadPercent) {
        long n = base.toNanos();
        long span = n / 100 * spreadPercent;
        return span <= 0 ? n : n - span + random.nextLong(2 * span + 1);
    }

    // ---- passive ---------------------------------------------------------------------------------

    /** Any thread, never blocks: hands the report to the control thread when it can matter. */
    public void report(String id, PassiveOutcome outcome, InetAddress client) {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(client, "client");
        Target t = targets.get(id);
        if (t == null || !t.observing) {
            return;
        }
        t.meters.passiveReport(outcome);
        if (outcome == PassiveOutcome.SUCCESS && !t.tallying) {
            return; // the common case on a healthy backend: nothing to undo, no thread hop
        }
        if (pendingReports.incrementAndGet() > MAX_PENDING_REPORTS) {
            pendingReports.decrementAndGet();
            droppedReports.increment();
            return;
        }
        control.execute(() -> {
            pendingReports.decrementAndGet();
            passive(t, outcome, client);
        });
    }

    private void passive(Target t, PassiveOutcome outcome, InetAddress client) {
        if (t.stopped || !t.observing || t.state.status() == HealthStatus.DOWN) {
            return; // only active probes bring a backend back
        }
        if (outcome == PassiveOutcome.SUCCESS) {
            t.passive.success();
            t.tallying = false;
            return;
        }
        boolean counts = t.passive.failure(client, control.nanoTime());
        t.tallying = t.passive.tallying();
        if (!counts) {
            return;
        }
        t.meters.passiveCounted();
        String reason = "passive: " + Section.kebab(outcome) + " reported by " + t.config.observe().minClients()
                + " or more clients within " + Durations.format(t.config.observe().window());
        apply(t, Target.afterPassiveFailure(t.state, reason, t.config.fall(), control.now()));
        if (t.inFlight == null) {
            probe(t); // confirm (or refute) right away instead of waiting for the next interval
        }
    }

    // ---- reading -----------------------------------------------------------------------------------

    /** Any thread: every entry is one consistent state; entries may be microseconds apart. */
    public SortedMap<String, HealthState> states() {
        TreeMap<String, HealthState> out = new TreeMap<>();
        for (Target t : targets.values()) {
            out.put(t.id, t.state);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    public java.util.Optional<HealthState> state(String id) {
        Target t = targets.get(id);
        return t == null ? java.util.Optional.empty() : java.util.Optional.of(t.state);
    }
}
