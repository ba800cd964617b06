package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Association-level retry plus health checks on real software: a bounded stream of 300 DCMTK
 * echoscu associations over about 30 s through dicomlb to two forking storescp archives; one
 * archive is killed a third of the way in. No association may fail, and once the dicom-echo check
 * has marked the dead archive down, no association is even tried on it.
 */
class HealthFailoverThroughDicomlbTest {
    private static final int ASSOCIATIONS = 300;
    private static final int WORKERS = 3;
    private static final Duration PACE = Duration.ofMillis(300);

    @TempDir
    Path work;

    @Test
    void killingAnArchiveLosesNoAssociationAndItGetsNothingOnceDown() throws Exception {
        // The test kills a itself; closing it again at the end is harmless and covers a failure before.
        try (StoreScp a = StoreScp.start(StoreScp.Options.of("ARCHIVE_A", Files.createDirectories(work.resolve("a"))).forking());
             StoreScp b = StoreScp.start(StoreScp.Options.of("ARCHIVE_B", Files.createDirectories(work.resolve("b"))).forking());
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, """
                     pool: archive
                     timeouts: { connect: 1s, associate: 10s }""", """
                     - name: archive
                       balance: roundrobin
                       retries: 2
                       health-check: { type: dicom-echo, interval: 1s, fast-interval: 200ms, timeout: 500ms, rise: 2, fall: 2 }
                       backends:
                         - { name: a, address: 127.0.0.1:%d, called-ae: ARCHIVE_A }
                         - { name: b, address: 127.0.0.1:%d, called-ae: ARCHIVE_B }""".formatted(a.port(), b.port())))) {
            org.dicomlb.engine.testing.Eventually.until(() -> lb.health("archive", "a").equals("up")
                    && lb.health("archive", "b").equals("up"), Duration.ofSeconds(10), () -> "both archives up");

            AtomicInteger started = new AtomicInteger();
            AtomicReference<Instant> downSeen = new AtomicReference<>();
            List<Tools.Result> failures = new CopyOnWriteArrayList<>();
            String echoscu = Dcmtk.echoscu().toString();
            ExecutorService pool = Executors.newFixedThreadPool(WORKERS + 1);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    workers.add(pool.submit(() -> {
                        for (int n; (n = started.getAndIncrement()) < ASSOCIATIONS; ) {
                            long t0 = System.nanoTime();
                            if (n == ASSOCIATIONS / 3) {
                                a.close();
                            }
                            Tools.Result r = Tools.run(Duration.ofSeconds(30), work, List.of(echoscu, "-aet", "MODALITY",
                                    "-aec", "ARCHIVE", "127.0.0.1", lb.portText()));
                            if (!r.ok()) {
                                failures.add(r);
                            }
                            sleepRest(t0);
                        }
                        return null;
                    }));
                }
                // Watch for the moment the status page says the dead archive is down.
                Future<?> watcher = pool.submit(() -> {
                    while (downSeen.get() == null && started.get() < ASSOCIATIONS) {
                        if (lb.health("archive", "a").equals("down")) {
                            downSeen.set(Instant.now());
                        }
                        Thread.sleep(20);
                    }
                    return null;
                });
                for (Future<?> f : workers) {
                    f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                }
                watcher.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }

            assertThat(failures).as("associations that failed").isEmpty();
            assertThat(downSeen.get()).as("archive a marked down").isNotNull();
            List<String> lines = lb.accessLines(ASSOCIATIONS);
            assertThat(lines).hasSize(ASSOCIATIONS).allSatisfy(l -> assertThat(l).contains(" result=accepted "));
            // Lines begin with the accept time; associations accepted after the archive was seen
            // down (plus a moment for a pick already in flight) never went near it.
            Instant settled = downSeen.get().plusMillis(100);
            List<String> after = lines.stream().filter(l -> Instant.parse(l.substring(0, l.indexOf(' '))).isAfter(settled)).toList();
            assertThat(after).hasSizeGreaterThan(ASSOCIATIONS / 3);
            assertThat(after).allSatisfy(l -> assertThat(l).contains(" backend=b ", " attempts=1 "));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains(" backend=a "));
        }
    }

    private static void sleepRest(long startNanos) {
        long rest = PACE.toNanos() - (System.nanoTime() - startNanos);
        if (rest > 0) {
            try {
                Thread.sleep(Duration.ofNanos(rest));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
