package org.dicomlb.engine.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        // Two chunks of 64 bytes: about ten lines held at most.
        try (AccessLogWriter w = new AccessLogWriter(f, 64, 2)) {
            for (int i = 0; i < 100_000; i++) {
                w.accept("burst " + i);
            }
            // Whatever the writer drained meanwhile, the rest beyond what two chunks hold was dropped.
            assertThat(w.dropped()).isPositive();
            w.close();
            assertThat(Files.readAllLines(f).size() + w.dropped()).isEqualTo(100_000);
        }
    }

    @Test
    void everyThreadsLinesArriveInTheirOrderAlsoFromThreadsThatEnded() throws Exception {
        Path f = dir.resolve("access.log");
        try (AccessLogWriter w = new AccessLogWriter(f, 1024, 4096)) {
            // The producers end before their lines are read: what their lanes still hold is written all the same.
            writeFromThreadsAndCheckOrder(w, f, 4, 5_000, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1 << 20, 256})
    void linesKeepTheirOrderWhileTheWriterTakesChunksBeingFilled(int chunkBytes) throws Exception {
        Path f = dir.resolve("access.log");
        // 1 MiB: far more than a producer writes between two wakes of the writer, so every chunk
        // reaches the file by the writer taking it from its lane while it is being filled. 256
        // bytes: chunks fill up every 30 lines or so as well, so the two ways interleave.
        try (AccessLogWriter w = new AccessLogWriter(f, chunkBytes, 4096)) {
            // 80 pauses of a few milliseconds: some 10 wakes of the writer in between.
            writeFromThreadsAndCheckOrder(w, f, 2, 4_000, 50);
        }
    }

    /**
     * Writes {@code each} numbered lines from each of {@code threads} threads (pausing 2 ms every
     * {@code pauseEvery} lines when that is positive), waits until the threads have ended and the
     * file has every line, and checks each thread's lines are there in order, none dropped.
     */
    private static void writeFromThreadsAndCheckOrder(AccessLogWriter w, Path f, int threads, int each, int pauseEvery)
            throws Exception {
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            producers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    w.accept("t" + id + " " + i);
                    if (pauseEvery > 0 && i % pauseEvery == 0) {
                        LockSupport.parkNanos(2_000_000);
                    }
                }
            }));
        }
        for (Thread p : producers) {
            p.join();
        }
        waitForLines(f, threads * each);
        List<String> lines = Files.readAllLines(f);
        assertThat(lines).hasSize(threads * each);
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + " ";
            List<String> mine = lines.stream().filter(l -> l.startsWith(prefix)).toList();
            assertThat(mine).hasSize(each);
            for (int i = 0; i < each; i++) {
                assertThat(mine.get(i)).isEqualTo(prefix + i);
            }
        }
        assertThat(w.dropped()).isZero();
    }

    @Test
    void chunksFilledWhileTheOpenOneWasTakenComeAfterIt() {
        // The lane had filled 3 and 4 and was filling 5 when the writer took 5 from its slot; it
        // then started 6, filled it and queued it before the writer read the queue.
        Queue<AccessLogWriter.Chunk> filled = new ArrayDeque<>(List.of(chunk(3), chunk(4), chunk(6)));
        List<AccessLogWriter.Chunk> taken = new ArrayList<>();
        AccessLogWriter.take(chunk(5), filled, taken);
        assertThat(taken).extracting(c -> c.seq).containsExactly(3L, 4L, 5L, 6L);
        assertThat(filled).isEmpty();

        taken.clear();
        AccessLogWriter.take(null, new ArrayDeque<>(List.of(chunk(7), chunk(8))), taken);
        assertThat(taken).extracting(c -> c.seq).containsExactly(7L, 8L);
    }

    private static AccessLogWriter.Chunk chunk(long seq) {
        AccessLogWriter.Chunk c = new AccessLogWriter.Chunk(new byte[16]);
        c.seq = seq;
        return c;
    }

    @Test
    void aLineLongerThanAChunkIsWrittenWhole() throws Exception {
        Path f = dir.resolve("access.log");
        String longLine = "path=\"" + "x".repeat(3000) + "\"";
        try (AccessLogWriter w = new AccessLogWriter(f, 256, 16)) {
            w.accept("short before");
            w.accept(longLine);
            w.accept("short after");
            waitForLines(f, 3);
        }
        assertThat(Files.readAllLines(f)).containsExactly("short before", longLine, "short after");
    }
}
