package org.dicomlb.harness.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.ScpStats;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.harness.peers.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The association-rate generator against lb-dicom's simulated SCP, on loopback, every run bounded. */
@Timeout(60)
class EchoLoadTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final AeTitle CALLING = AeTitle.of("BENCH_SCU");
    private static final AeTitle SCP = AeTitle.of("SIMSCP");
    private static final Duration ASSOCIATION_TIMEOUT = Duration.ofSeconds(5);

    private static SimulatedScp scp() {
        return SimulatedScp.start(ScpConfig.of(SCP).withRequireCalledAe(true), new InetSocketAddress(LOOPBACK, 0));
    }

    @Test
    void runsWholeAssociationsForTheDurationAndTimesEachOne() throws Exception {
        try (SimulatedScp scp = scp()) {
            long t0 = System.nanoTime();
            EchoLoad.Result r = EchoLoad.run(scp.localAddress(), CALLING, SCP,
                    new EchoLoad.Settings(4, Duration.ofMillis(700), 100_000, ASSOCIATION_TIMEOUT));
            Duration wall = Duration.ofNanos(System.nanoTime() - t0);

            assertThat(r.failures()).isEmpty();
            assertThat(r.succeeded()).isPositive();
            assertThat(r.associationTime().getTotalCount()).isEqualTo(r.succeeded());
            assertThat(r.percentileMillis(50)).isPositive().isLessThanOrEqualTo(r.percentileMillis(99));
            // Nothing starts after the deadline, and what is under way then finishes quickly on loopback.
            assertThat(r.elapsed()).isBetween(Duration.ofMillis(700), Duration.ofMillis(700).plus(ASSOCIATION_TIMEOUT));
            assertThat(wall).isLessThan(Duration.ofSeconds(15));
            assertThat(r.perSecond()).isEqualTo(r.succeeded() / (r.elapsed().toNanos() / 1e9));
            // Each one was a whole association: accepted, echoed and released.
            ScpStats s = awaitReleases(scp, r.succeeded());
            assertThat(s.associations()).isEqualTo(r.succeeded());
            assertThat(s.echoes()).isEqualTo(r.succeeded());
            assertThat(s.releases()).isEqualTo(r.succeeded());
        }
    }

    @Test
    void stopsAtTheCountCapLongBeforeTheDuration() throws Exception {
        try (SimulatedScp scp = scp()) {
            EchoLoad.Result r = EchoLoad.run(scp.localAddress(), CALLING, SCP,
                    new EchoLoad.Settings(3, Duration.ofSeconds(40), 25, ASSOCIATION_TIMEOUT));

            assertThat(r.succeeded()).isEqualTo(25);
            assertThat(r.failed()).isZero();
            assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(20));
            assertThat(awaitReleases(scp, 25).associations()).isEqualTo(25);
        }
    }

    @Test
    void countsRejectedAssociationsByKindAndSaysWhatWentWrong() throws Exception {
        try (SimulatedScp scp = scp()) {
            EchoLoad.Result r = EchoLoad.run(scp.localAddress(), CALLING, AeTitle.of("NOT_HERE"),
                    new EchoLoad.Settings(2, Duration.ofSeconds(30), 10, ASSOCIATION_TIMEOUT));

            assertThat(r.succeeded()).isZero();
            assertThat(r.failures()).isEqualTo(Map.of("rejected", 10L));
            assertThat(r.associationTime().getTotalCount()).isZero();
            assertThat(r.describeFailures()).startsWith("10 of 10 associations failed (rejected 10); first: Rejected[")
                    .contains("CALLED_AE_TITLE_NOT_RECOGNIZED");
            assertThat(scp.stats().rejections()).isEqualTo(10);
        }
    }

    @Test
    void countsRefusedConnectsAndStaysBoundedByTheCap() throws Exception {
        InetSocketAddress closed = new InetSocketAddress(LOOPBACK, FreePorts.pick());

        EchoLoad.Result r = EchoLoad.run(closed, CALLING, SCP, new EchoLoad.Settings(4, Duration.ofSeconds(20), 40, ASSOCIATION_TIMEOUT));

        assertThat(r.succeeded()).isZero();
        assertThat(r.failures()).isEqualTo(Map.of("connect-failed", 40L));
        assertThat(r.perSecond()).isZero();
    }

    /**
     * A peer that accepts the connection (the kernel's backlog does) and never answers: exactly
     * {@code concurrency} associations are opened, each ends at its timeout, and none starts after
     * the deadline.
     */
    @Test
    void neverHasMoreThanItsConcurrencyInFlightAndTimesOutASilentPeer() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, LOOPBACK)) {
            InetSocketAddress target = new InetSocketAddress(LOOPBACK, silent.getLocalPort());

            EchoLoad.Result r = EchoLoad.run(target, CALLING, SCP,
                    new EchoLoad.Settings(3, Duration.ofMillis(200), 1000, Duration.ofSeconds(1)));

            assertThat(r.failures()).isEqualTo(Map.of("timeout", 3L));
            assertThat(r.firstFailure()).hasValue("Timeout[phase=ASSOCIATE]");
            assertThat(r.elapsed()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            assertThat(acceptAll(silent)).isEqualTo(3);
        }
    }

    @Test
    void refusesSettingsWithoutBounds() {
        assertThatThrownBy(() -> new EchoLoad.Settings(0, Duration.ofSeconds(1), 10, ASSOCIATION_TIMEOUT))
                .hasMessageContaining("concurrency");
        assertThatThrownBy(() -> new EchoLoad.Settings(1, Duration.ofSeconds(1), 0, ASSOCIATION_TIMEOUT))
                .hasMessageContaining("maxAssociations");
        assertThatThrownBy(() -> new EchoLoad.Settings(1, Duration.ZERO, 10, ASSOCIATION_TIMEOUT))
                .hasMessageContaining("positive");
    }

    /** The SCP counts a release just after the client saw its answer; wait (bounded) for the counters to settle. */
    private static ScpStats awaitReleases(SimulatedScp scp, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        ScpStats s = scp.stats();
        while (s.releases() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
            s = scp.stats();
        }
        return s;
    }

    /** Connections waiting in the backlog, closed or not; at most 100. */
    private static int acceptAll(ServerSocket server) throws IOException {
        server.setSoTimeout(200);
        int n = 0;
        while (n < 100) {
            try (Socket ignored = server.accept()) {
                n++;
            } catch (SocketTimeoutException e) {
                return n;
            }
        }
        return n;
    }
}
