package org.dicomlb.engine.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {
    @TempDir
    Path dir;

    private static void waitForLines(Path f, int n) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((!Files.exists(f) || Files.readAllLines(f).size() < n) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void writesEveryLineInOrderAndFlushesWhenCaughtUp() throws Exception {
        Path f = dir.resolve("access.log");
        try (AccessLogWriter w = new AccessLogWriter(f)) {
            w.accept("first");
            waitForLines(f, 1);
            assertThat(Files.readAllLines(f)).containsExactly("first");
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                many.add("line " + i + " " + "x".repeat(i % 200));
            }
            many.forEach(w::accept);
            waitForLines(f, 20_001);
            assertThat(Files.readAllLines(f)).hasSize(20_001).endsWith(many.getLast());
            assertThat(w.dropped()).isZero();
        }
    }

    @Test
    void reopenFollowsLogRotation() throws Exception {
        Path f = dir.resolve("access.log");
        try (AccessLogWriter w = new AccessLogWriter(f)) {
            w.accept("before rotation");
            waitForLines(f, 1);
            Files.move(f, dir.resolve("access.log.1"));
            w.reopen();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.exists(f) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            w.accept("after rotation");
            waitForLines(f, 1);
        }
        assertThat(Files.readAllLines(dir.resolve("access.log.1"))).containsExactly("before rotation");
        assertThat(Files.readAllLines(f)).containsExactly("after rotation");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        Path f = dir.resolve("access.log");
        try (AccessLogWriter w = new AccessLogWriter(f, 10)) {
            for (int i = 0; i < 100_000; i++) {
                w.accept("burst " + i);
            }
            // Whatever the writer drained meanwhile, the rest beyond 10 queued lines was dropped.
            assertThat(w.dropped()).isPositive();
            w.close();
            assertThat(Files.readAllLines(f).size() + w.dropped()).isEqualTo(100_000);
        }
    }
}
