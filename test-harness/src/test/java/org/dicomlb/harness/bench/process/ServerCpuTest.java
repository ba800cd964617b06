package org.dicomlb.harness.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

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
