package org.dicomlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A checker on a {@link ManualScheduler} with a {@link ScriptedCheck}: time moves only when the
 * test says, every task and every event runs on the test's thread, every event lands in {@link #events}.
 */
public final class HandDrivenChecker implements AutoCloseable {
    public final ManualScheduler clock = new ManualScheduler();
    public final ScriptedCheck check = new ScriptedCheck();
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final List<HealthEvent> events = new CopyOnWriteArrayList<>();
    public final HealthChecker checker;

    public HandDrivenChecker(long seed) {
        checker = HealthChecker.builder()
                .controlScheduler(clock)
                .eventExecutor(Runnable::run)
                .random(new SplittableRandom(seed))
                .meterRegistry(registry)
                .checkFactory((probe, transport) -> check)
                .build();
        checker.subscribe(events::add);
    }

    /** Applies an update and checks that it took effect. */
    public void update(CheckTarget... targets) {
        var done = checker.update("test", List.of(targets));
        clock.runReady();
        assertThat(done).isCompleted();
    }

    public HealthState state(String id) {
        return checker.state(id).orElseThrow();
    }

    @Override
    public void close() {
        checker.close();
        clock.runReady();
    }
}
