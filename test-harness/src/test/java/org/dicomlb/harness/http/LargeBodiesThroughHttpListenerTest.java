package org.dicomlb.harness.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomlb.engine.relay.RelayOptions;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 GiB STOW-sized upload and a 2 GiB download through a {@code mode: http} listener between
 * curl and nginx, both byte-identical (SHA-256), while the memory dicomlb's process holds for
 * buffers stays far below the body size: bodies are streamed with backpressure both ways, never
 * buffered whole. The peaks are printed and written to {@code target/http-large-bodies.txt}.
 *
 * <p>dicomlb runs in this JVM; curl and nginx are other processes, so the JVM's direct buffers
 * (Netty's and the JDK's) and its heap are dicomlb's. The bound asserted for direct memory
 * (64 MiB) is 1/32 of the body; the heap's peak over the test's start is bounded likewise loosely
 * (512 MiB, a quarter of the body) because young garbage counts until the next collection.
 */
class LargeBodiesThroughHttpListenerTest {
    private static final long BODY = 2L << 30;
    private static final long DIRECT_BOUND = 64L << 20;
    private static final long HEAP_GROWTH_BOUND = 512L << 20;
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(6);

    @TempDir
    Path work;
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private NginxBackend nginx;
    private String curl;

    @BeforeEach
    void setUp() throws Exception {
        curl = Binaries.find("curl", "curl").toString();
        nginx = NginxBackend.start(work.resolve("nginx"));
        fx.start("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: web
                    timeouts: { idle: 2m, response: 2m }
                pools:
                  - name: web
                    health-check: none
                    backends:
                      - { name: nginx1, address: %s }
                """.formatted(fx.listenPort, nginx.address()));
    }

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        if (nginx != null) {
            nginx.close();
        }
    }

    /** Writes {@code size} pseudo-random bytes to {@code file}; returns their SHA-256. */
    private static String writeRandom(Path file, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                sha.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Samples the JVM's buffer memory every 20 ms while a transfer runs; keeps the peaks. */
    private static final class MemoryPeaks implements AutoCloseable {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final BufferPoolMXBean jdkDirect = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        private final long heapBefore;
        final AtomicLong nettyDirect = new AtomicLong();
        final AtomicLong jdkDirectPeak = new AtomicLong();
        final AtomicLong heap = new AtomicLong();
        private final Thread sampler;
        private volatile boolean running = true;

        MemoryPeaks() {
            System.gc();
            heapBefore = memory.getHeapMemoryUsage().getUsed();
            sampler = Thread.ofPlatform().daemon().name("memory-peaks").start(() -> {
                while (running) {
                    sample();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        private void sample() {
            nettyDirect.accumulateAndGet(nettyDirect(), Math::max);
            jdkDirectPeak.accumulateAndGet(jdkDirect.getMemoryUsed(), Math::max);
            heap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        }

        /**
         * Netty's own count of direct memory: its allocators' (the relay's and the default one the
         * rest of the process uses), or the unpooled counter when that is kept.
         */
        private static long nettyDirect() {
            long counted = PlatformDependent.usedDirectMemory();
            long pooled = usedDirect(RelayOptions.BUFFERS) + usedDirect(ByteBufAllocator.DEFAULT);
            return Math.max(counted, pooled);
        }

        private static long usedDirect(ByteBufAllocator a) {
            return a instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : 0;
        }

        long heapGrowth() {
            return Math.max(0, heap.get() - heapBefore);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            sampler.join();
            sample();
        }

        String describe() {
            return "direct (netty) peak %d MiB, direct (jdk) peak %d MiB, heap peak %d MiB (%d MiB over the start)".formatted(
                    nettyDirect.get() >> 20, jdkDirectPeak.get() >> 20, heap.get() >> 20, heapGrowth() >> 20);
        }
    }

    private Tools.Result run(List<String> command) {
        return Tools.run(TRANSFER_TIMEOUT, work.resolve("curl"), command);
    }

    @Test
    void twoGibibytesUpAndDownMatchWithBoundedMemory() throws Exception {
        Path source = nginx.root().resolve("study.bin");
        String expected = writeRandom(source, BODY);
        String base = "http://127.0.0.1:" + fx.listenPort;
        StringBuilder report = new StringBuilder();

        long t0 = System.nanoTime();
        MemoryPeaks down = new MemoryPeaks();
        Path downloaded = work.resolve("downloaded.bin");
        Tools.Result get;
        try (down) {
            get = run(List.of(curl, "-sS", "--fail", "-o", downloaded.toString(), "-w", "%{size_download} %{speed_download}",
                    base + "/study.bin"));
        }
        double downSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(get.ok()).as(get.toString()).isTrue();
        assertThat(Files.size(downloaded)).isEqualTo(BODY);
        assertThat(sha256(downloaded)).as("the downloaded body's SHA-256").isEqualTo(expected);
        Files.delete(downloaded);
        report.append("download 2 GiB: %.1f s, %s%n".formatted(downSeconds, down.describe()));

        long t1 = System.nanoTime();
        MemoryPeaks up = new MemoryPeaks();
        Tools.Result put;
        try (up) {
            put = run(List.of(curl, "-sS", "--fail", "-T", source.toString(), "-o", "/dev/null", "-w", "%{http_code}",
                    base + "/upload/stored.bin"));
        }
        double upSeconds = (System.nanoTime() - t1) / 1e9;
        assertThat(put.ok()).as(put.toString()).isTrue();
        assertThat(put.output()).as(put.toString()).isEqualTo("201");
        Path stored = nginx.root().resolve("upload/stored.bin");
        assertThat(Files.size(stored)).isEqualTo(BODY);
        assertThat(sha256(stored)).as("the uploaded body's SHA-256 as nginx stored it").isEqualTo(expected);
        report.append("upload 2 GiB: %.1f s, %s%n".formatted(upSeconds, up.describe()));

        System.out.print(report);
        Files.writeString(Path.of("target/http-large-bodies.txt"), report);
        Eventually.until(() -> access.lines().size() >= 2, Duration.ofSeconds(10), access::lines);
        assertThat(access.lines().get(0)).contains("method=GET", "status=200", "bytes_out=" + BODY, "end=complete");
        assertThat(access.lines().get(1)).contains("method=PUT", "status=201", "bytes_in=" + BODY, "end=complete");
        // Only dicomlb's relays allocate from the relay's allocator: it holds memory once they have run.
        assertThat(MemoryPeaks.usedDirect(RelayOptions.BUFFERS)).as("dicomlb's relay buffers come from its pooled allocator").isPositive();
        for (MemoryPeaks m : List.of(down, up)) {
            assertThat(m.nettyDirect.get()).as("Netty's count sees dicomlb's buffers, " + m.describe()).isPositive();
            assertThat(m.nettyDirect.get()).as("Netty direct memory, " + m.describe()).isLessThan(DIRECT_BOUND);
            assertThat(m.jdkDirectPeak.get()).as("JDK direct buffers, " + m.describe()).isLessThan(DIRECT_BOUND);
            assertThat(m.heapGrowth()).as("heap, " + m.describe()).isLessThan(HEAP_GROWTH_BOUND);
        }
    }
}
