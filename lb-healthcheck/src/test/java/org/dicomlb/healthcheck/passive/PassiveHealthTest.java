package org.dicomlb.healthcheck.passive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomlb.healthcheck.HealthStatus.DOWN;
import static org.dicomlb.healthcheck.HealthStatus.UP;
import static org.dicomlb.healthcheck.passive.PassiveOutcome.CONNECT_FAILED;
import static org.dicomlb.healthcheck.passive.PassiveOutcome.REJECTED;
import static org.dicomlb.healthcheck.passive.PassiveOutcome.SUCCESS;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.dicomlb.healthcheck.CheckTarget;
import org.dicomlb.healthcheck.Configs;
import org.dicomlb.healthcheck.HandDrivenChecker;
import org.dicomlb.healthcheck.HealthState;
import org.dicomlb.healthcheck.ScriptedCheck;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Passive reports: one bad client never marks a backend down; several clients do. */
class PassiveHealthTest {
    static final String ID = "archive/arch1";
    static final HealthCheckConfig CONFIG = Configs.read("""
            { type: tcp, interval: 2s, fast-interval: 500ms, down-interval: 5s, timeout: 1500ms, rise: 2, fall: 3, spread: 0%,
              observe: { min-clients: 2, window: 10s } }
            """);

    private final HandDrivenChecker h = new HandDrivenChecker(1);

    @BeforeEach
    void up() {
        h.checker.update("test", List.of(new CheckTarget(ID, new InetSocketAddress("127.0.0.11", 104), CONFIG)));
        h.clock.advance(Duration.ofMillis(500));
        assertThat(state().status()).isEqualTo(UP);
        h.events.clear();
    }

    @AfterEach
    void close() {
        h.close();
    }

    private HealthState state() {
        return h.state(ID);
    }

    private static InetAddress client(int n) {
        return InetAddress.ofLiteral("127.0.0." + (50 + n));
    }

    private void report(PassiveOutcome outcome, int client) {
        h.checker.report(ID, outcome, client(client));
        h.clock.runReady();
    }

    @Test
    void oneClientFailingOverAndOverNeverMarksDown() {
        int probes = h.check.probes();
        for (int i = 0; i < 100; i++) {
            report(i % 2 == 0 ? CONNECT_FAILED : REJECTED, 1);
            h.clock.advance(Duration.ofMillis(300));
        }
        assertThat(state().status()).isEqualTo(UP);
        assertThat(state().consecutiveFailures()).isZero();
        assertThat(h.events).isEmpty();
        // The active probes kept their schedule (30 s / 2 s); no passive decision brought one forward.
        assertThat(h.check.probes() - probes).isEqualTo(15);
        assertThat(counter("dicomlb.health.passive.counted")).isZero();
        assertThat(h.registry.get("dicomlb.health.passive.reports").tag("outcome", "connect-failed").counter().count())
                .isEqualTo(50);
    }

    @Test
    void failuresFromSeveralClientsCountTowardFallAndTriggerAProbe() {
        h.check.hang(); // the triggered probe stays in flight, so only passive failures count here
        int probes = h.check.probes();
        report(CONNECT_FAILED, 1);
        assertThat(counter("dicomlb.health.passive.counted")).isZero();
        report(CONNECT_FAILED, 2);
        assertThat(state().consecutiveFailures()).isEqualTo(1);
        assertThat(h.check.probes()).as("a counted failure brings the next probe forward").isEqualTo(probes + 1);

        h.clock.advance(Duration.ofMillis(100));
        report(REJECTED, 3);
        report(REJECTED, 4);
        assertThat(state().consecutiveFailures()).as("at most one counted failure per fast-interval").isEqualTo(1);
        h.clock.advance(Duration.ofMillis(400));
        report(REJECTED, 5);
        assertThat(state().consecutiveFailures()).isEqualTo(2);
        assertThat(state().status()).isEqualTo(UP);

        h.clock.advance(Duration.ofMillis(500));
        report(REJECTED, 6);
        assertThat(state().consecutiveFailures()).as("every count needs fresh clients").isEqualTo(2);
        report(REJECTED, 7);
        assertThat(state().status()).isEqualTo(DOWN);
        assertThat(h.events).singleElement().satisfies(e -> {
            assertThat(e.to()).isEqualTo(DOWN);
            assertThat(e.reason()).isEqualTo("passive: rejected reported by 2 or more clients within 10s");
        });
        assertThat(counter("dicomlb.health.passive.counted")).isEqualTo(3);
        assertThat(state().lastFailureReason()).contains(h.events.getFirst().reason());
        assertThat(h.check.probes()).as("one probe in flight at a time").isEqualTo(probes + 1);
    }

    @Test
    void passiveReportsCannotBringADownBackendBack() {
        h.check.answer(ScriptedCheck.REFUSED);
        h.clock.advance(Duration.ofSeconds(2));
        h.clock.advance(Duration.ofMillis(500));
        h.clock.advance(Duration.ofMillis(500));
        assertThat(state().status()).isEqualTo(DOWN);
        for (int i = 0; i < 5; i++) {
            report(SUCCESS, i);
            report(CONNECT_FAILED, i);
        }
        assertThat(state().status()).isEqualTo(DOWN);
        assertThat(counter("dicomlb.health.passive.counted")).isZero();
    }

    @Test
    void aSuccessInBetweenStartsTheTallyOver() {
        report(CONNECT_FAILED, 1);
        report(SUCCESS, 3);
        report(CONNECT_FAILED, 2);
        assertThat(counter("dicomlb.health.passive.counted")).isZero();
        report(CONNECT_FAILED, 4);
        assertThat(counter("dicomlb.health.passive.counted")).isEqualTo(1);
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        report(CONNECT_FAILED, 1);
        h.clock.advance(Duration.ofSeconds(11));
        report(CONNECT_FAILED, 2);
        assertThat(state().consecutiveFailures()).isZero();
    }

    @Test
    void activeSuccessesAfterAPassiveFailureKeepItUp() {
        report(CONNECT_FAILED, 1);
        report(CONNECT_FAILED, 2);
        assertThat(state().consecutiveFailures()).as("the triggered probe succeeded").isZero();
        assertThat(state().lastFailureReason()).contains("passive: connect-failed reported by 2 or more clients within 10s");
        assertThat(state().status()).isEqualTo(UP);
    }

    @Test
    void observeOffIgnoresReports() {
        HealthCheckConfig off = Configs.read("{ type: tcp, spread: 0%, fall: 1, observe: false }");
        h.checker.update("test", List.of(new CheckTarget(ID, new InetSocketAddress("127.0.0.11", 104), off)));
        h.clock.runReady();
        for (int i = 0; i < 10; i++) {
            report(CONNECT_FAILED, i);
        }
        assertThat(state().status()).isEqualTo(UP);
        assertThat(h.registry.get("dicomlb.health.passive.reports").tag("outcome", "connect-failed").counter().count()).isZero();
    }

    @Test
    void metricsNeverCarryAClientAddress() {
        h.check.answer(ScriptedCheck.REFUSED);
        for (int i = 0; i < 6; i++) {
            report(CONNECT_FAILED, i);
            h.clock.advance(Duration.ofMillis(500));
        }
        assertThat(h.registry.getMeters()).isNotEmpty().allSatisfy((Meter m) -> {
            for (Tag t : m.getId().getTags()) {
                assertThat(t.getValue()).doesNotStartWith("127.0.0.5");
                assertThat(t.getKey()).isIn("pool", "backend", "check", "result", "to", "outcome", "le");
            }
        });
        assertThat(h.registry.get("dicomlb.endpoint.up").tags("pool", "archive", "backend", "arch1", "check", "tcp")
                .gauge().value()).isZero();
    }

    private double counter(String name) {
        return h.registry.get(name).tags("pool", "archive", "backend", "arch1").counter().count();
    }
}
