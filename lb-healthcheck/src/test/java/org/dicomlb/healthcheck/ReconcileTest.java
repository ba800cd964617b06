package org.dicomlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.healthcheck.HealthStatus.DOWN;
import static org.dicomlb.healthcheck.HealthStatus.STARTING;
import static org.dicomlb.healthcheck.HealthStatus.UP;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@link HealthChecker#update} keeps, restarts and stops. */
class ReconcileTest {
    static final InetSocketAddress A1 = new InetSocketAddress("127.0.0.11", 104);
    static final InetSocketAddress A2 = new InetSocketAddress("127.0.0.12", 104);
    static final HealthCheckConfig TCP = Configs.read("{ type: tcp, interval: 2s, fast-interval: 500ms, spread: 0%, fall: 1 }");

    private final ManualScheduler clock = new ManualScheduler();
    private final ScriptedCheck check = new ScriptedCheck();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<HealthEvent> events = new CopyOnWriteArrayList<>();
    private final HealthChecker checker = HealthChecker.builder()
            .controlScheduler(clock).eventExecutor(Runnable::run).random(new SplittableRandom(3))
            .meterRegistry(registry).checkFactory((probe, transport) -> check).build();

    @BeforeEach
    void bothUp() {
        checker.subscribe(events::add);
        update(new CheckTarget("p/a", A1, TCP), new CheckTarget("p/b", A2, TCP));
        clock.advance(Duration.ofMillis(500));
        assertThat(checker.states().values()).extracting(HealthState::status).containsOnly(UP);
        assertThat(check.probes()).isEqualTo(2);
        events.clear();
    }

    @AfterEach
    void close() {
        checker.close();
        clock.runReady();
        assertThat(registry.getMeters()).as("meters of closed checker")
                .allSatisfy(m -> assertThat(m.getId().getName()).isEqualTo("dicomlb.health.passive.dropped"));
    }

    private void update(CheckTarget... targets) {
        var done = checker.update(List.of(targets));
        clock.runReady();
        assertThat(done).isCompleted();
    }

    @Test
    void unchangedTargetsKeepStateAndSchedule() {
        HealthState before = checker.state("p/a").orElseThrow();
        List<Duration> timers = clock.pendingTimers();
        clock.advance(Duration.ofMillis(700));
        update(new CheckTarget("p/a", A1, TCP), new CheckTarget("p/b", A2, Configs.read(
                "{ type: tcp, interval: 2s, fast-interval: 500ms, spread: 0%, fall: 1 }")));
        assertThat(checker.state("p/a")).containsSame(before);
        assertThat(clock.pendingTimers()).containsExactlyElementsOf(
                timers.stream().map(d -> d.minusMillis(700)).toList());
        assertThat(events).isEmpty();
    }

    @Test
    void removedTargetsStopAndLoseTheirMeters() {
        update(new CheckTarget("p/a", A1, TCP));
        assertThat(checker.states()).containsOnlyKeys("p/a");
        assertThat(clock.pendingTimers()).hasSize(1);
        assertThat(registry.find("dicomlb.endpoint.up").tag("backend", "b").gauge()).isNull();
        assertThat(registry.find("dicomlb.endpoint.up").tag("backend", "a").gauge()).isNotNull();
        clock.advance(Duration.ofSeconds(10));
        assertThat(check.addresses()).filteredOn(A2::equals).hasSize(1);
        checker.report("p/b", org.dicomlb.healthcheck.passive.PassiveOutcome.CONNECT_FAILED,
                java.net.InetAddress.getLoopbackAddress());
        assertThat(events).isEmpty();
    }

    @Test
    void aChangedConfigKeepsStateAndReschedules() {
        HealthState before = checker.state("p/a").orElseThrow();
        HealthCheckConfig slower = Configs.read("{ type: tcp, interval: 10s, fast-interval: 1s, spread: 0%, fall: 1 }");
        update(new CheckTarget("p/a", A1, slower), new CheckTarget("p/b", A2, TCP));
        assertThat(checker.state("p/a")).containsSame(before);
        // p/b still 2 s away; p/a rescheduled at a random point within its new 10 s interval.
        assertThat(clock.pendingTimers()).hasSize(2).allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(10)));
        clock.advance(Duration.ofSeconds(10));
        int probesOfA = (int) check.addresses().stream().filter(A1::equals).count();
        clock.advance(Duration.ofSeconds(10));
        assertThat(check.addresses().stream().filter(A1::equals).count()).isEqualTo(probesOfA + 1);
        assertThat(events).isEmpty();
    }

    @Test
    void aChangedCheckTypeMovesTheMetersToTheNewTag() {
        HealthCheckConfig http = Configs.read("{ type: http, interval: 2s, spread: 0% }");
        update(new CheckTarget("p/a", A1, http), new CheckTarget("p/b", A2, TCP));
        assertThat(registry.find("dicomlb.endpoint.up").tags("backend", "a", "check", "tcp").gauge()).isNull();
        assertThat(registry.get("dicomlb.endpoint.up").tags("backend", "a", "check", "http").gauge().value()).isEqualTo(1);
    }

    @Test
    void aChangedAddressStartsOver() {
        check.answer(ScriptedCheck.REFUSED);
        clock.advance(Duration.ofSeconds(2));
        assertThat(checker.state("p/a").orElseThrow().status()).isEqualTo(DOWN);
        events.clear();
        InetSocketAddress moved = new InetSocketAddress("127.0.0.13", 104);
        update(new CheckTarget("p/a", moved, TCP), new CheckTarget("p/b", A2, TCP));
        assertThat(checker.state("p/a").orElseThrow().status()).isEqualTo(STARTING);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.from()).isEqualTo(DOWN);
            assertThat(e.to()).isEqualTo(STARTING);
            assertThat(e.reason()).contains("address changed to");
        });
        check.answer(ScriptedCheck.OK);
        clock.advance(Duration.ofMillis(500));
        assertThat(check.addresses().getLast()).isEqualTo(moved);
        assertThat(checker.state("p/a").orElseThrow().status()).isEqualTo(UP);
    }

    @Test
    void badUpdatesAreRefusedWholeAndChangeNothing() {
        assertThatThrownBy(() -> checker.update(List.of(new CheckTarget("p/a", A1, TCP), new CheckTarget("p/a", A2, TCP))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate check target id 'p/a'");
        HealthChecker standard = HealthChecker.builder().controlScheduler(clock).build();
        try {
            HealthCheckConfig echo = Configs.read("{ type: dicom-echo }");
            assertThatThrownBy(() -> standard.update(List.of(new CheckTarget("p/x", A1, echo))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("p/x").hasMessageContaining("lb-dicom");
        } finally {
            standard.close();
        }
        clock.runReady();
        assertThat(checker.states()).containsOnlyKeys("p/a", "p/b");
    }
}
