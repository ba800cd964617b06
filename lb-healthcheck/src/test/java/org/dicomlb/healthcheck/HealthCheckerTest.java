package org.dicomlb.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.healthcheck.HealthStatus.DOWN;
import static org.dicomlb.healthcheck.HealthStatus.STARTING;
import static org.dicomlb.healthcheck.HealthStatus.UP;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The state machine and timing, driven by hand: a scripted check and a manual clock. */
class HealthCheckerTest {
    static final String ID = "archive/arch1";
    static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.11", 11112);
    static final HealthCheckConfig CONFIG = Configs.read("""
            { type: tcp, interval: 2s, fast-interval: 500ms, down-interval: 5s, timeout: 1s,
              rise: 2, fall: 3, spread: 0% }
            """);

    private final HandDrivenChecker h = new HandDrivenChecker(7);

    @AfterEach
    void close() {
        h.close();
    }

    private HealthState state() {
        return h.state(ID);
    }

    private void start() {
        h.update(new CheckTarget(ID, ADDRESS, CONFIG));
    }

    /** Lets the next probe run and returns the pause scheduled after it. */
    private Duration probe(CheckResult result) {
        h.check.answer(result);
        int before = h.check.probes();
        h.clock.advance(h.clock.pendingTimers().getFirst());
        assertThat(h.check.probes()).isEqualTo(before + 1);
        return h.clock.pendingTimers().getFirst();
    }

    @Test
    void aNewTargetServesAtOnceAndIsProbedWithinFastInterval() throws Exception {
        start();
        assertThat(state().status()).isEqualTo(STARTING);
        assertThat(state().serving()).isTrue();
        assertThat(state().since()).isEqualTo(ManualScheduler.EPOCH);
        assertThat(h.clock.pendingTimers()).singleElement()
                .satisfies(d -> assertThat(d).isLessThan(Duration.ofMillis(500)));
        assertThat(h.check.probes()).isZero();

        assertThat(probe(ScriptedCheck.OK)).isEqualTo(Duration.ofSeconds(2));
        assertThat(state().status()).isEqualTo(UP);
        assertThat(h.events).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo(ID);
            assertThat(e.from()).isEqualTo(STARTING);
            assertThat(e.to()).isEqualTo(UP);
            assertThat(e.reason()).isEqualTo("first check passed: ok");
        });
        assertThat(h.check.addresses()).containsExactly(ADDRESS);
    }

    /**
     * A probe this machine could not even make (out of file descriptors) is not the backend's
     * fault: it takes nothing down, counts toward nothing, and probing goes on.
     */
    @Test
    void aProbeThatCouldNotRunForLackOfDescriptorsChangesNothing() throws Exception {
        start();
        CheckResult local = CheckResult.localError("not probed: dicomlb is out of file descriptors");
        for (int i = 0; i < 5; i++) {
            probe(local);
        }
        assertThat(state().status()).isEqualTo(STARTING);
        assertThat(state().consecutiveFailures()).isZero();
        probe(ScriptedCheck.OK);
        assertThat(state().status()).isEqualTo(UP);
        for (int i = 0; i < 5; i++) {
            probe(local);
        }
        assertThat(state().status()).isEqualTo(UP);
        assertThat(state().lastResult()).contains(local);
        assertThat(h.events).extracting(HealthEvent::to).containsExactly(UP);
        assertThat(h.registry.get("dicomlb.health.checks").tag("result", "local_error").counter().count()).isEqualTo(10);
    }

    @Test
    void aStartingTargetGoesDownOnItsFirstFailure() throws Exception {
        start();
        assertThat(probe(ScriptedCheck.REFUSED)).isEqualTo(Duration.ofSeconds(5));
        assertThat(state().status()).isEqualTo(DOWN);
        assertThat(state().serving()).isFalse();
        assertThat(h.events).extracting(HealthEvent::reason).containsExactly("first check failed: connect refused");
    }

    @Test
    void aStartingTargetNeedsTwoTimeoutsInARowToGoDown() throws Exception {
        start();
        CheckResult slow = CheckResult.timeout(Duration.ofSeconds(1));
        assertThat(probe(slow)).as("retried fast").isEqualTo(Duration.ofMillis(500));
        assertThat(state().status()).isEqualTo(STARTING);
        assertThat(state().serving()).isTrue();
        assertThat(h.events).isEmpty();
        probe(slow);
        assertThat(state().status()).isEqualTo(DOWN);
        assertThat(h.events).extracting(HealthEvent::reason).containsExactly("2 first checks failed, last: timeout after 1s");
    }

    @Test
    void aTimeoutThenASuccessBringsAStartingTargetUp() throws Exception {
        start();
        probe(CheckResult.timeout(Duration.ofSeconds(1)));
        probe(ScriptedCheck.OK);
        assertThat(state().status()).isEqualTo(UP);
        assertThat(h.events).extracting(e -> e.from() + "->" + e.to()).containsExactly("STARTING->UP");
    }

    @Test
    void fallAndRiseCountConsecutiveProbesAndPickTheInterval() throws Exception {
        start();
        List<Duration> pauses = new ArrayList<>();
        List<HealthStatus> statuses = new ArrayList<>();
        for (CheckResult r : List.of(ScriptedCheck.OK, ScriptedCheck.REFUSED, ScriptedCheck.OK, ScriptedCheck.REFUSED,
                ScriptedCheck.REFUSED, ScriptedCheck.REFUSED, ScriptedCheck.REFUSED, ScriptedCheck.OK,
                ScriptedCheck.REFUSED, ScriptedCheck.OK, ScriptedCheck.OK, ScriptedCheck.OK)) {
            pauses.add(probe(r));
            statuses.add(state().status());
        }
        assertThat(statuses).containsExactly(UP, UP, UP, UP, UP, DOWN, DOWN, DOWN, DOWN, DOWN, UP, UP);
        Duration fast = Duration.ofMillis(500);
        Duration interval = Duration.ofSeconds(2);
        Duration down = Duration.ofSeconds(5);
        assertThat(pauses).containsExactly(interval, fast, interval, fast, fast, down, down, fast, down, fast, interval, interval);
        assertThat(h.events).extracting(e -> e.from() + "->" + e.to() + " " + e.reason()).containsExactly(
                "STARTING->UP first check passed: ok",
                "UP->DOWN 3 consecutive failures, last: connect refused",
                "DOWN->UP 2 consecutive successes, last: ok");
        HealthState s = state();
        assertThat(s.consecutiveSuccesses()).isEqualTo(3);
        assertThat(s.consecutiveFailures()).isZero();
        assertThat(s.lastFailureReason()).contains("connect refused");
        assertThat(s.lastResult()).contains(ScriptedCheck.OK);
        assertThat(s.checks()).isEqualTo(12);
        assertThat(s.since()).isEqualTo(h.events.getLast().at());
    }

    @Test
    void aProbeThatDoesNotAnswerTimesOutAndIsCancelled() throws Exception {
        start();
        probe(ScriptedCheck.OK);
        h.check.hang();
        h.clock.advance(Duration.ofSeconds(2));
        assertThat(h.check.probes()).isEqualTo(2);
        assertThat(state().checks()).isEqualTo(1);
        // The check's own timeout (1s) comes first; the checker's backstop waits a little longer.
        h.clock.advance(Duration.ofMillis(1049));
        assertThat(state().checks()).isEqualTo(1);
        h.clock.advance(Duration.ofMillis(1));
        assertThat(state().checks()).isEqualTo(2);
        assertThat(state().lastResult()).contains(CheckResult.timeout(Duration.ofSeconds(1)));
        assertThat(state().lastFailureReason()).contains("timeout after 1s");
        assertThat(state().lastCheckDuration()).contains(Duration.ofMillis(1050));
        assertThat(h.check.futures().getLast()).isCancelled();
        assertThat(h.clock.pendingTimers()).containsExactly(Duration.ofMillis(500));
    }

    @Test
    void aCheckThatThrowsCountsAsAFailure() throws Exception {
        HealthChecker throwing = HealthChecker.builder().controlScheduler(h.clock)
                .checkFactory((probe, transport) -> (address, timeout) -> {
                    throw new IllegalStateException("boom");
                }).build();
        try {
            throwing.update("test", List.of(new CheckTarget("x", ADDRESS, CONFIG)));
            h.clock.advance(Duration.ofMillis(500));
            assertThat(throwing.state("x").orElseThrow().status()).isEqualTo(DOWN);
            assertThat(throwing.state("x").orElseThrow().lastFailureReason()).contains("IllegalStateException: boom");
        } finally {
            throwing.close();
            h.clock.runReady();
        }
    }

    @Test
    void metricsCarryPoolBackendAndCheckTags() throws Exception {
        start();
        probe(ScriptedCheck.OK);
        probe(ScriptedCheck.REFUSED);
        probe(ScriptedCheck.REFUSED);
        probe(ScriptedCheck.REFUSED);
        String[] tags = {"pool", "archive", "backend", "arch1", "check", "tcp"};
        assertThat(h.registry.get("dicomlb.endpoint.up").tags(tags).gauge().value()).isZero();
        assertThat(h.registry.get("dicomlb.health.checks").tags(tags).tag("result", "success").counter().count()).isEqualTo(1);
        assertThat(h.registry.get("dicomlb.health.checks").tags(tags).tag("result", "failure").counter().count()).isEqualTo(3);
        assertThat(h.registry.get("dicomlb.health.checks").tags(tags).tag("result", "timeout").counter().count()).isZero();
        assertThat(h.registry.get("dicomlb.health.check.duration").tags(tags).timer().count()).isEqualTo(4);
        assertThat(h.registry.get("dicomlb.health.transitions").tags(tags).tag("to", "up").counter().count()).isEqualTo(1);
        assertThat(h.registry.get("dicomlb.health.transitions").tags(tags).tag("to", "down").counter().count()).isEqualTo(1);
    }

    @Test
    void subscribersGetEventsInOrderUntilTheyUnsubscribe() throws Exception {
        List<HealthEvent> second = new ArrayList<>();
        AutoCloseable sub = h.checker.subscribe(second::add);
        h.checker.subscribe(e -> {
            throw new IllegalStateException("a broken subscriber must not stop the others");
        });
        start();
        probe(ScriptedCheck.OK);
        sub.close();
        probe(ScriptedCheck.REFUSED);
        probe(ScriptedCheck.REFUSED);
        probe(ScriptedCheck.REFUSED);
        assertThat(second).extracting(HealthEvent::to).containsExactly(UP);
        assertThat(h.events).extracting(HealthEvent::to).containsExactly(UP, DOWN);
    }

    @Test
    void aThousandNewTargetsAreNotProbedInTheSameMillisecond() {
        List<CheckTarget> targets = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            targets.add(new CheckTarget("pool/b" + i, ADDRESS, CONFIG));
        }
        h.checker.update("test", targets);
        h.clock.runReady();
        List<Duration> firsts = h.clock.pendingTimers();
        assertThat(firsts).hasSize(1000).allSatisfy(d -> assertThat(d).isLessThan(Duration.ofMillis(500)));
        Map<Long, Long> perMillisecond = firsts.stream()
                .collect(java.util.stream.Collectors.groupingBy(Duration::toMillis, java.util.stream.Collectors.counting()));
        // 1000 probes over 500 ms: about 2 a millisecond, never a burst.
        assertThat(perMillisecond.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10));
        assertThat(h.checker.states()).hasSize(1000);
    }

    @Test
    void statesIsAnImmutableSnapshot() throws Exception {
        start();
        Map<String, HealthState> before = h.checker.states();
        probe(ScriptedCheck.OK);
        assertThat(before.get(ID).status()).isEqualTo(STARTING);
        assertThat(h.checker.states().get(ID).status()).isEqualTo(UP);
        assertThatThrownBy(() -> before.put("x", before.get(ID))).isInstanceOf(UnsupportedOperationException.class);
    }
}
