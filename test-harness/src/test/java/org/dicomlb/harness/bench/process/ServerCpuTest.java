package org.dicomlb.harness.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCpuTest {
    @TempDir
    Path dir;

    @Test
    void threadCpuTimeCountsTheNamedThreadsAndAgreesWithTheProcessTotal() throws Exception {
        try (Children children = new Children()) {
            // A bounded busy loop (a fraction of a second), then idle: one thread named "sh".
            Server busy = children.start("busy", List.of("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 30"),
                    Map.of(), dir.resolve("busy.log"));
            Duration all = awaitIdle(busy);
            Duration named = busy.threadCpuTime("sh");
            Duration ticks = busy.cpuTime();

            assertThat(all).isGreaterThanOrEqualTo(Duration.ofMillis(20));
            assertThat(named).isEqualTo(all);
            assertThat(busy.threadCpuTime("dicomlb-io-")).isZero();
            // Same thread, one clock in nanoseconds, the other in 10 ms ticks.
            assertThat(all.minus(ticks).abs()).isLessThan(Duration.ofMillis(50));
            busy.close();
        }
    }

    @Test
    void contextSwitchesCountTheThreadsOfTheProcessAndWhatItForked() throws Exception {
        try (Children children = new Children()) {
            // The outer shell waits for the inner one (": " keeps it from exec'ing it); the inner
            // one blocks twenty times in wait() for a sleep, each a voluntary switch of its own.
            String inner = "i=0; while [ $i -lt 20 ]; do sleep 0.02; i=$((i+1)); done; touch " + dir.resolve("done") + "; sleep 30; :";
            Server waiting = children.start("waiting", List.of("sh", "-c", "sh -c '" + inner + "'; :"), Map.of(),
                    dir.resolve("waiting.log"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(dir.resolve("done")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            ContextSwitches s = waiting.contextSwitches();

            assertThat(s.voluntary()).isGreaterThanOrEqualTo(20);
            assertThat(s.involuntary()).isNotNegative();
            assertThat(s.minus(s)).isEqualTo(new ContextSwitches(0, 0));
            waiting.close();
        }
    }

    /** Waits (at most 60 s) until the loop is done: the CPU time stops growing. */
    private static Duration awaitIdle(Server busy) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Duration last = busy.threadCpuTime("");
        while (System.nanoTime() < deadline) {
            Thread.sleep(300);
            Duration now = busy.threadCpuTime("");
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the busy loop did not finish within 60 s");
    }
}
