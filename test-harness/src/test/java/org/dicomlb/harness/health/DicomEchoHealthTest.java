package org.dicomlb.harness.health;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.PeerProcess;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.healthcheck.CheckTarget;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.HealthEvent;
import org.dicomlb.healthcheck.HealthStatus;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.HealthCheckReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dicom-echo health check against DCMTK SCPs: storescp killed and restarted, SCPs that refuse us. */
class DicomEchoHealthTest {
    private static final Duration INTERVAL = Duration.ofMillis(400);
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final int RISE = 2;
    private static final int FALL = 3;

    @TempDir
    Path dir;

    private final HealthChecker checker = HealthChecker.builder().ioThreads(1).build();
    private final List<HealthEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> peers = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        checker.close();
        for (AutoCloseable p : peers) {
            p.close();
        }
    }

    private static HealthCheckConfig check(String calledAe) throws Exception {
        Problems problems = new Problems();
        Section s = Section.of(YamlTree.parse("test.yaml", """
                { type: dicom-echo, calling-ae: DICOMLB, called-ae: %s, interval: %dms, fast-interval: 100ms,
                  timeout: %dms, rise: %d, fall: %d, observe: false }
                """.formatted(calledAe, INTERVAL.toMillis(), TIMEOUT.toMillis(), RISE, FALL)), problems, "check").orElseThrow();
        HealthCheckConfig c = HealthCheckReader.read(s).orElseThrow(() -> new AssertionError(problems.errors()));
        s.finish();
        assertThat(problems.errors()).isEmpty();
        return c;
    }

    private HealthEvent await(Predicate<HealthEvent> which, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            for (HealthEvent e : events) {
                if (which.test(e)) {
                    return e;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no matching health event within " + within + "; saw " + events);
    }

    private void awaitReason(String id, String reason) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (checker.state(id).flatMap(s -> s.lastFailureReason()).orElse("").endsWith(reason)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(id + " never failed with '" + reason + "'; state " + checker.state(id));
    }

    @Test
    void storescpKilledGoesDownInTimeAndComesBackAfterRise() throws Exception {
        StoreScp.Options opts = StoreScp.Options.of("STORESCP", Files.createDirectories(dir.resolve("in"))).forking();
        StoreScp scp = StoreScp.start(opts);
        peers.add(scp); // closed by the test itself; closing a second time is harmless
        int port = scp.port();
        checker.subscribe(events::add);
        checker.update("test", List.of(new CheckTarget("archive/storescp", scp.address(), check("STORESCP")))).join();
        await(e -> e.to() == HealthStatus.UP, Duration.ofSeconds(10));

        long closing = System.nanoTime();
        scp.close();
        // Counted from when storescp is gone (close() waits for the process to exit, which took
        // hundreds of milliseconds on a loaded CI machine, with checks still passing meanwhile).
        long killed = System.nanoTime();
        HealthEvent down = await(e -> e.to() == HealthStatus.DOWN, Duration.ofSeconds(10));
        long tookMillis = (System.nanoTime() - killed) / 1_000_000;
        // interval x fall + timeout; the slack covers scheduling on a loaded 2-core CI machine
        // (one run needed 2,254 ms from the start of close()).
        assertThat(tookMillis).as("DOWN after storescp exited (its close took %d ms)", (killed - closing) / 1_000_000)
                .isLessThanOrEqualTo(INTERVAL.toMillis() * FALL + TIMEOUT.toMillis() + 800);
        assertThat(down.reason()).contains("connect").contains("refused");
        assertThat(checker.state("archive/storescp").orElseThrow().consecutiveFailures()).isGreaterThanOrEqualTo(FALL);

        events.clear();
        peers.add(StoreScp.startOn(opts, port));
        HealthEvent up = await(e -> e.to() == HealthStatus.UP, Duration.ofSeconds(10));
        assertThat(up.from()).isEqualTo(HealthStatus.DOWN);
        assertThat(checker.state("archive/storescp").orElseThrow().consecutiveSuccesses()).isEqualTo(RISE);
        assertThat(events).hasSize(1);
    }

    @Test
    void storescpRefusingAssociationsIsDownWithTheRejectShown() throws Exception {
        StoreScp refusing = StoreScp.start(StoreScp.Options.of("STORESCP",
                Files.createDirectories(dir.resolve("refuse"))).with("--refuse"));
        peers.add(refusing);
        checker.subscribe(events::add);
        checker.update("test", List.of(new CheckTarget("archive/refusing", refusing.address(), check("STORESCP")))).join();
        await(e -> e.to() == HealthStatus.DOWN, Duration.ofSeconds(10));
        // Probes go on while it is down; the reason shown is the last probe's.
        awaitReason("archive/refusing", "association rejected permanent by service-user: no-reason-given");
        assertThat(checker.state("archive/refusing").orElseThrow().status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void anScpThatDoesNotKnowOurCallingAeIsDownWithThatReason() throws Exception {
        // dcmqrscp only talks to the peers in its AE table; DICOMLB is not one of them.
        Path qr = Files.createDirectories(dir.resolve("qr"));
        Files.createDirectories(qr.resolve("db"));
        Path cfg = Files.writeString(qr.resolve("dcmqrscp.cfg"), """
                NetworkTCPPort  = 104
                MaxPDUSize      = 16384
                MaxAssociations = 16
                HostTable BEGIN
                known = (KNOWNSCU, localhost, 11200)
                HostTable END
                VendorTable BEGIN
                VendorTable END
                AETable BEGIN
                QRSCP  %s  RW  (10, 1024mb)  known
                AETable END
                """.formatted(qr.resolve("db")));
        String binary = Dcmtk.tool("dcmqrscp").toString();
        PeerProcess dcmqrscp = PeerProcess.startListening("dcmqrscp", qr,
                port -> List.of(binary, "-v", "-c", cfg.toString(), Integer.toString(port)), Duration.ofSeconds(10));
        peers.add(dcmqrscp);
        checker.subscribe(events::add);
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), dcmqrscp.port());
        try (LogCapture log = new LogCapture("org.dicomlb.healthcheck", Level.INFO)) {
            checker.update("test", List.of(new CheckTarget("qr/dcmqrscp", at, check("QRSCP")))).join();
            await(e -> e.to() == HealthStatus.DOWN, Duration.ofSeconds(10));
            // The log line that records the transition names the endpoint and why.
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).startsWith("health qr/dcmqrscp: ")
                    .contains("-> DOWN: ", "rejected permanent", "called-ae-title-not-recognized"));
        }
        // DCMTK's dcmqrscp reports an unknown calling AE with reason 7 (called AE not recognized).
        awaitReason("qr/dcmqrscp", "association rejected permanent by service-user: called-ae-title-not-recognized");
        assertThat(dcmqrscp.log()).contains("DICOMLB -> QRSCP", "Refusing Association");
    }
}
