package org.dicomlb.healthcheck.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.dicomlb.config.Section;
import org.dicomlb.healthcheck.CheckOutcome;
import org.dicomlb.healthcheck.HealthStatus;
import org.dicomlb.healthcheck.config.CheckType;
import org.dicomlb.healthcheck.passive.PassiveOutcome;

/**
 * The meters of one target. Tags are bounded: the labels its owner gave (the engine's {@code pool}
 * and {@code backend}), {@code check} from the check type, {@code result}/{@code to}/{@code outcome} from
 * enums. Never a client address. Removed from the registry when the target goes away, so a
 * backend deleted from the config does not linger as a stale series.
 */
public final class TargetMeters {
    public static final String UP = "dicomlb.endpoint.up";
    public static final String CHECK_DURATION = "dicomlb.health.check.duration";
    public static final String CHECKS = "dicomlb.health.checks";
    public static final String TRANSITIONS = "dicomlb.health.transitions";
    public static final String PASSIVE_REPORTS = "dicomlb.health.passive.reports";
    public static final String PASSIVE_COUNTED = "dicomlb.health.passive.counted";

    private static final Duration[] DURATION_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Timer duration;
    private final Map<CheckOutcome, Counter> checks = new EnumMap<>(CheckOutcome.class);
    private final Map<HealthStatus, Counter> transitions = new EnumMap<>(HealthStatus.class);
    private final Map<PassiveOutcome, Counter> passive = new EnumMap<>(PassiveOutcome.class);
    private final Counter passiveCounted;

    /** Registers the meters; {@code serving} is read by the gauge on scrape (any thread). */
    public TargetMeters(MeterRegistry registry, java.util.Map<String, String> labels, CheckType type,
                        Supplier<Boolean> serving) {
        this.registry = registry;
        Tags tags = tags(labels, type);
        add(Gauge.builder(UP, serving, s -> s.get() ? 1 : 0).tags(tags).strongReference(true)
                .description("1 while the endpoint may receive traffic (up or starting), 0 while down")
                .register(registry));
        duration = add(Timer.builder(CHECK_DURATION).tags(tags).serviceLevelObjectives(DURATION_BUCKETS)
                .description("time an active probe took").register(registry));
        for (CheckOutcome o : CheckOutcome.values()) {
            checks.put(o, add(Counter.builder(CHECKS).tags(tags).tag("result", o.name().toLowerCase(Locale.ROOT))
                    .description("active probes by result").register(registry)));
        }
        for (HealthStatus s : List.of(HealthStatus.UP, HealthStatus.DOWN)) {
            transitions.put(s, add(Counter.builder(TRANSITIONS).tags(tags).tag("to", s.name().toLowerCase(Locale.ROOT))
                    .description("changes of health status").register(registry)));
        }
        for (PassiveOutcome o : PassiveOutcome.values()) {
            passive.put(o, add(Counter.builder(PASSIVE_REPORTS).tags(tags).tag("outcome", Section.kebab(o))
                    .description("outcomes the data plane reported").register(registry)));
        }
        passiveCounted = add(Counter.builder(PASSIVE_COUNTED).tags(tags)
                .description("passive failures that counted toward fall").register(registry));
    }

    /** The target's own labels plus {@code check}. */
    public static Tags tags(java.util.Map<String, String> labels, CheckType type) {
        Tags t = Tags.of("check", Section.kebab(type));
        for (var e : labels.entrySet()) {
            t = t.and(e.getKey(), e.getValue());
        }
        return t;
    }

    public void probed(CheckOutcome outcome, Duration took) {
        duration.record(took);
        checks.get(outcome).increment();
    }

    public void transition(HealthStatus to) {
        Counter c = transitions.get(to);
        if (c != null) {
            c.increment();
        }
    }

    /** Thread-safe: called on the data plane's threads. */
    public void passiveReport(PassiveOutcome outcome) {
        passive.get(outcome).increment();
    }

    public void passiveCounted() {
        passiveCounted.increment();
    }

    public void remove() {
        meters.forEach(registry::remove);
        meters.clear();
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }
}
