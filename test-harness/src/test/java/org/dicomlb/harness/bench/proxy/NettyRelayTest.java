package org.dicomlb.harness.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.dicomlb.harness.soak.DicomlbStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark's Netty relay moves bytes both ways intact and passes half-closes on; the
 * command the harness runs starts it with dicomlb's launcher settings. Everything on 127.0.0.1,
 * ephemeral ports: the backend is a socket of this test that reads the request to its end,
 * answers with a larger body, and closes.
 */
@Timeout(60)
class NettyRelayTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);
    /** The backend and the sender block; on two cores the common pool has one thread for both. */
    private static final Executor THREAD_EACH = task -> Thread.ofVirtual().start(task);

    @Test
    void relaysARequestAndALargerAnswerAcrossHalfCloses() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (ServerSocket backend = new ServerSocket()) {
            backend.bind(ANY_LOOPBACK_PORT);
            byte[] request = bytes(300_000, 1);
            byte[] answer = bytes(3_000_000, 2);
            CompletableFuture<byte[]> received = answerOnce(backend, answer);
            Channel relay = NettyRelay.start(group, ANY_LOOPBACK_PORT, (InetSocketAddress) backend.getLocalSocketAddress());

            byte[] back = exchange((InetSocketAddress) relay.localAddress(), request);

            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(request);
            assertThat(back).isEqualTo(answer);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void theHarnessCommandRunsTheRelayWithTheLaunchersJvmSettings() throws Exception {
        try (ServerSocket backend = new ServerSocket(); ServerSocket probe = new ServerSocket()) {
            backend.bind(ANY_LOOPBACK_PORT);
            probe.bind(ANY_LOOPBACK_PORT);
            InetSocketAddress listen = (InetSocketAddress) probe.getLocalSocketAddress();
            probe.close();
            List<String> cmd = NettyRelay.command(listen, (InetSocketAddress) backend.getLocalSocketAddress(), 1);
            assertThat(cmd).containsAll(DicomlbStart.LAUNCHER_JVM);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).startsWith("relaying ").endsWith("-> " + backend.getLocalSocketAddress());
                byte[] request = bytes(1000, 3);
                CompletableFuture<byte[]> received = answerOnce(backend, bytes(5000, 4));
                assertThat(exchange(listen, request)).isEqualTo(bytes(5000, 4));
                assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(request);
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The two JVMs must differ only in their code: the launcher still starts with these settings. */
    @Test
    void theJvmSettingsAreTheLaunchers() throws IOException, InterruptedException {
        // The heap sizes come from scripts/lib/heap.sh for the default maximum.
        Process sizing = new ProcessBuilder("sh", "-c", ". ../scripts/lib/heap.sh; dicomlb_heap_options 256m").start();
        String heap = new String(sizing.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(sizing.waitFor()).isZero();
        // Defaults written as ${VAR:-value} count as their value.
        String launcher = Files.readString(Path.of("..", "dicomlb"))
                .replace("$(dicomlb_heap_options \"${DICOMLB_HEAP:-256m}\")", heap)
                .replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1");
        List<String> words = Arrays.asList(launcher.split("[\\s\\\\]+"));

        assertThat(words).containsAll(DicomlbStart.LAUNCHER_JVM);
    }

    /** Sends {@code request}, half-closes, and returns everything read until the relay closes. */
    private static byte[] exchange(InetSocketAddress relay, byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(relay, 5000);
            s.setSoTimeout(20_000);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(request);
                    out.flush();
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, THREAD_EACH);
            byte[] back = s.getInputStream().readAllBytes();
            sent.join();
            return back;
        }
    }

    /** Accepts one connection, reads it to its end, writes {@code answer} and closes; completes with what it read. */
    private static CompletableFuture<byte[]> answerOnce(ServerSocket backend, byte[] answer) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = backend.accept()) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                byte[] got = in.readAllBytes();
                s.getOutputStream().write(answer);
                return got;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, THREAD_EACH);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
