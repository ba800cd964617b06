package org.dicomlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.healthcheck.HealthStatus.DOWN;
import static org.dicomlb.healthcheck.HealthStatus.STARTING;
import static org.dicomlb.healthcheck.HealthStatus.UP;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@link HealthChecker#update} keeps, restarts and stops. */
class ReconcileTest {
    static final InetSocketAddress A1 = new InetSocketAddress("127.0.0.11", 104);
    static final InetSocketAddress A2 = new InetSocketAddress("127.0.0.12", 104);
    static final HealthCheckConfig TCP = Configs.read("{ type: tcp, interval: 2s, fast-interval: 500ms, spread: 0%, fall: 1 }");

    private final HandDrivenChecker h = new HandDrivenChecker(3);

    @BeforeEach
    void bothUp() {
        update(new CheckTarget("p/a", A1, TCP), new CheckTarget("p/b", A2, TCP));
        h.clock.advance(Duration.ofMillis(500));
        assertThat(h.checker.states().values()).extracting(HealthState::status).containsOnly(UP);
        assertThat(h.check.probes()).isEqualTo(2);
        h.events.clear();
    }

    @AfterEach
    void close() {
        h.close();
        assertThat(h.registry.getMeters()).as("meters of closed checker")
                .allSatisfy(m -> assertThat(m.getId().getName()).isEqualTo("dicomlb.health.passive.dropped"));
    }

    private void update(CheckTarget... targets) {
        h.update(targets);
    }

    @Test
    void unchangedTargetsKeepStateAndSchedule() {
        HealthState before = h.checker.state("p/a").orElseThrow();
        List<Duration> timers = h.clock.pendingTimers();
        h.clock.advance(Duration.ofMillis(700));
        update(new CheckTarget("p/a", A1, TCP), new CheckTarget("p/b", A2, Configs.read(
                "{ type: tcp, interval: 2s, fast-interval: 500ms, spread: 0%, fall: 1 }")));
        assertThat(h.checker.state("p/a")).containsSame(before);
        assertThat(h.clock.pendingTimers()).containsExactlyElementsOf(
                timers.stream().map(d -> d.minusMillis(700)).toList());
        assertThat(h.events).isEmpty();
    }

    @Test
    void anOwnerReplacesOnlyItsOwnTargets() {
        var gslbEvents = new java.util.concurrent.CopyOnWriteArrayList<HealthEvent>();
        h.checker.subscribe("gslb", gslbEvents::add);
        var done = h.checker.update("gslb", List.of(new CheckTarget("gslb:name/site-a", A1, TCP,
                java.util.Map.of("name", "dicom.example.org", "member", "site-a"))));
        h.clock.runReady();
        assertThat(done).isCompleted();
        assertThat(h.checker.states()).containsOnlyKeys("p/a", "p/b", "gslb:name/site-a");
        // Meters carry the owner's labels, not a split of the id.
        assertThat(h.registry.get("dicomlb.endpoint.up").tags("name", "dicom.example.org", "member", "site-a", "check", "tcp")
                .gauge()).isNotNull();

        // The pools' next update no longer names p/b: only p/b stops; the other owner's target stays.
        update(new CheckTarget("p/a", A1, TCP));
        assertThat(h.checker.states()).containsOnlyKeys("p/a", "gslb:name/site-a");
        h.clock.advance(Duration.ofMillis(500));
        assertThat(h.checker.state("gslb:name/site-a").orElseThrow().status()).isEqualTo(UP);
        assertThat(gslbEvents).extracting(HealthEvent::id).containsOnly("gslb:name/site-a");

        // An id another owner holds is refused, and nothing changes.
        assertThatThrownBy(() -> h.checker.update("gslb", List.of(new CheckTarget("p/a", A2, TCP))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already belongs to test");
        h.clock.runReady();
        assertThat(h.checker.states()).containsOnlyKeys("p/a", "gslb:name/site-a");

        var emptied = h.checker.update("gslb", List.of());
        h.clock.runReady();
        assertThat(emptied).isCompleted();
        assertThat(h.checker.states()).containsOnlyKeys("p/a");
    }

    @Test
    void removedTargetsStopAndLoseTheirMeters() {
        update(new CheckTarget("p/a", A1, TCP));
        assertThat(h.checker.states()).containsOnlyKeys("p/a");
        assertThat(h.clock.pendingTimers()).hasSize(1);
        assertThat(h.registry.find("dicomlb.endpoint.up").tag("backend", "b").gauge()).isNull();
        assertThat(h.registry.find("dicomlb.endpoint.up").tag("backend", "a").gauge()).isNotNull();
        h.clock.advance(Duration.ofSeconds(10));
        assertThat(h.check.addresses()).filteredOn(A2::equals).hasSize(1);
        h.checker.report("p/b", org.dicomlb.healthcheck.passive.PassiveOutcome.CONNECT_FAILED,
                java.net.InetAddress.getLoopbackAddress());
        assertThat(h.events).isEmpty();
    }

    @Test
    void aChangedConfigKeepsStateAndReschedules() {
        HealthState before = h.checker.state("p/a").orElseThrow();
        HealthCheckConfig slower = Configs.read("{ type: tcp, interval: 10s, fast-interval: 1s, spread: 0%, fall: 1 }");
        update(new CheckTarget("p/a", A1, slower), new CheckTarget("p/b", A2, TCP));
        assertThat(h.checker.state("p/a")).containsSame(before);
        // p/b still 2 s away; p/a rescheduled at a random point within its new 10 s interval.
        assertThat(h.clock.pendingTimers()).hasSize(2).allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(10)));
        h.clock.advance(Duration.ofSeconds(10));
        int probesOfA = (int) h.check.addresses().stream().filter(A1::equals).count();
        h.clock.advance(Duration.ofSeconds(10));
        assertThat(h.check.addresses().stream().filter(A1::equals).count()).isEqualTo(probesOfA + 1);
        assertThat(h.events).isEmpty();
    }

    @Test
    void aChangedCheckTypeMovesTheMetersToTheNewTag() {
        HealthCheckConfig http = Configs.read("{ type: http, interval: 2s, spread: 0% }");
        update(new CheckTarget("p/a", A1, http), new CheckTarget("p/b", A2, TCP));
        assertThat(h.registry.find("dicomlb.endpoint.up").tags("backend", "a", "check", "tcp").gauge()).isNull();
        assertThat(h.registry.get("dicomlb.endpoint.up").tags("backend", "a", "check", "http").gauge().value()).isEqualTo(1);
    }

    @Test
    void aChangedAddressStartsOver() {
        h.check.answer(ScriptedCheck.REFUSED);
        h.clock.advance(Duration.ofSeconds(2));
        assertThat(h.checker.state("p/a").orElseThrow().status()).isEqualTo(DOWN);
        h.events.clear();
        InetSocketAddress moved = new InetSocketAddress("127.0.0.13", 104);
        update(new CheckTarget("p/a", moved, TCP), new CheckTarget("p/b", A2, TCP));
        assertThat(h.checker.state("p/a").orElseThrow().status()).isEqualTo(STARTING);
        assertThat(h.events).singleElement().satisfies(e -> {
            assertThat(e.from()).isEqualTo(DOWN);
            assertThat(e.to()).isEqualTo(STARTING);
            assertThat(e.reason()).isEqualTo("address changed to 127.0.0.13:104");
        });
        h.check.answer(ScriptedCheck.OK);
        h.clock.advance(Duration.ofMillis(500));
        assertThat(h.check.addresses().getLast()).isEqualTo(moved);
        assertThat(h.checker.state("p/a").orElseThrow().status()).isEqualTo(UP);
    }

    @Test
    void badUpdatesAreRefusedWholeAndChangeNothing() {
        assertThatThrownBy(() -> h.checker.update("test", List.of(new CheckTarget("p/a", A1, TCP), new CheckTarget("p/a", A2, TCP))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate check target id 'p/a'");
        h.clock.runReady();
        assertThat(h.checker.states()).containsOnlyKeys("p/a", "p/b");
    }
}
