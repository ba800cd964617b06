package org.dicomlb.gslb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.dicomlb.gslb.config.Failback;
import org.dicomlb.gslb.config.FailbackMode;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.TcpProbe;
import org.junit.jupiter.api.Test;

class MemberTrackerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final MemberTracker t = new MemberTracker();

    @Test
    void autoWithoutAGateNeverHolds() {
        assertThat(t.observe(false, true, Failback.AUTO, T0)).isEqualTo(MemberTracker.Change.NONE);
        assertThat(t.held()).isFalse();
    }

    @Test
    void afterReleasesOnlyOnceHealthyForTheWholeDelay() {
        Failback after = new Failback(FailbackMode.AFTER, Duration.ofMinutes(10), Optional.empty());
        assertThat(t.observe(true, true, after, T0)).isEqualTo(MemberTracker.Change.NONE);
        assertThat(t.observe(false, true, after, T0.plusSeconds(1))).isEqualTo(MemberTracker.Change.HELD);
        assertThat(t.observe(true, true, after, T0.plusSeconds(60))).isEqualTo(MemberTracker.Change.NONE);
        assertThat(t.waitingFor(true, true, after, T0.plusSeconds(120))).isEqualTo("recovered; waiting 9m more");
        // A flap restarts the clock.
        t.observe(false, true, after, T0.plusSeconds(300));
        assertThat(t.observe(true, true, after, T0.plusSeconds(301))).isEqualTo(MemberTracker.Change.NONE);
        assertThat(t.observe(true, true, after, T0.plusSeconds(660))).isEqualTo(MemberTracker.Change.NONE);
        assertThat(t.observe(true, true, after, T0.plusSeconds(901))).isEqualTo(MemberTracker.Change.RELEASED);
        assertThat(t.held()).isFalse();
    }

    @Test
    void manualWaitsForReleaseAndTheGate() {
        Failback manual = new Failback(FailbackMode.MANUAL, Duration.ZERO, Optional.of(HealthCheckConfig.defaults(new TcpProbe())));
        t.observe(false, false, manual, T0);
        assertThat(t.release(false, true, manual)).isEqualTo("down; failback releases only a healthy member");
        assertThat(t.observe(true, false, manual, T0.plusSeconds(3600))).isEqualTo(MemberTracker.Change.NONE);
        assertThat(t.waitingFor(true, false, manual, T0)).isEqualTo("recovered; waiting for 'dicomlb gslb failback' and its failback gate to pass");
        assertThat(t.release(true, false, manual)).isEqualTo("its failback gate has not passed yet");
        assertThat(t.release(true, true, manual)).isNull();
        assertThat(t.held()).isFalse();
        assertThat(t.release(true, true, manual)).isEqualTo("not held");
    }
}
