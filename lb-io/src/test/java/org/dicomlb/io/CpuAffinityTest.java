package org.dicomlb.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Binding threads to CPUs, read back from what Linux says of them in /proc. */
class CpuAffinityTest {
    @Test
    void theAllowedCpusAreTheOnesLinuxLists() throws Exception {
        assertThat(CpuAffinity.unavailable()).isEmpty();
        assertThat(CpuAffinity.allowed()).isNotEmpty().isEqualTo(allowedOf(Path.of("/proc/thread-self/status")));
    }

    @Test
    void aThreadIsBoundToTheCpuItAsksFor() throws Exception {
        List<Integer> allowed = CpuAffinity.allowed();
        int cpu = allowed.getLast();
        CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                CpuAffinity.bindCurrentThread(cpu);
                seen.complete(List.of(CpuAffinity.allowed(), allowedOf(Path.of("/proc/thread-self/status"))).stream()
                        .flatMap(List::stream).toList());
            } catch (Exception | Error e) {
                seen.completeExceptionally(e);
            }
        });
        t.join(10_000);
        assertThat(seen.get(10, TimeUnit.SECONDS)).as("the library's view, then the kernel's").containsExactly(cpu, cpu);
        assertThat(CpuAffinity.allowed()).as("the other threads keep theirs").isEqualTo(allowed);
    }

    @Test
    void aCpuTheProcessMayNotUseIsRefusedWithTheKernelsReason() {
        int outside = 1023; // no machine this runs on has 1,024 CPUs
        assertThat(CpuAffinity.allowed()).doesNotContain(outside);
        assertThatThrownBy(() -> CpuAffinity.bindCurrentThread(outside)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sched_setaffinity to CPU 1023 failed: EINVAL");
        assertThatThrownBy(() -> CpuAffinity.bindCurrentThread(1024)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBoundGroupPutsEachLoopOnACpuOfItsOwn() throws Exception {
        List<Integer> allowed = CpuAffinity.allowed();
        int size = Math.min(2, allowed.size());
        try (EventLoops loops = EventLoops.create(true)) {
            EventLoops.Group io = loops.boundGroup("io", size);
            assertThat(loops.boundGroup("io", 5)).isSameAs(io);
            List<List<Integer>> cpus = new ArrayList<>();
            for (var e : io.group()) {
                cpus.add(((EventLoop) e).submit(() -> allowedOf(Path.of("/proc/thread-self/status"))).get(10, TimeUnit.SECONDS));
            }
            assertThat(cpus).hasSize(size).allSatisfy(c -> assertThat(c).hasSize(1));
            assertThat(cpus.stream().map(List::getFirst).distinct().toList()).as("one CPU each")
                    .containsExactlyInAnyOrderElementsOf(allowed.subList(0, size));
        }
    }

    @Test
    void moreThreadsThanCpusAreLeftToTheKernel() throws Exception {
        List<Integer> allowed = CpuAffinity.allowed();
        try (EventLoops loops = EventLoops.create(true)) {
            EventLoops.Group io = loops.boundGroup("io", allowed.size() + 1);
            EventLoop first = (EventLoop) io.group().iterator().next();
            assertThat(first.submit(() -> allowedOf(Path.of("/proc/thread-self/status"))).get(10, TimeUnit.SECONDS))
                    .isEqualTo(allowed);
        }
    }

    /** The {@code Cpus_allowed_list} of a /proc status file ("0-3,6"). */
    static List<Integer> allowedOf(Path status) throws IOException {
        String list = Files.readAllLines(status).stream().filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst()
                .orElseThrow().substring("Cpus_allowed_list:".length()).strip();
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.split(",")) {
            String[] range = part.split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            for (int c = from; c <= to; c++) {
                cpus.add(c);
            }
        }
        return cpus;
    }
}
