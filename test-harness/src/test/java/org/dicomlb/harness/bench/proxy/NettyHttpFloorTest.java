package org.dicomlb.harness.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.dicomlb.harness.soak.DicomlbStart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark's Netty HTTP floor proxies keep-alive HTTP/1.1 intact, adds X-Forwarded-For,
 * streams large bodies both ways, and runs from the harness's command with dicomlb's launcher
 * settings. Everything on 127.0.0.1, ephemeral ports: the backend is the JDK's HTTP server
 * (keep-alive), answering {@code /echo} with the SHA-256 of the body it got, {@code /big} with 5 MB.
 */
@Timeout(60)
class NettyHttpFloorTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final byte[] BIG = new byte[5_000_000];

    static {
        new Random(7).nextBytes(BIG);
    }

    private HttpServer backend;
    /** The backend's view of each request: the proxy's source port and the X-Forwarded-For it got. */
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(ANY_LOOPBACK_PORT, 0);
        backend.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        backend.createContext("/echo", x -> {
            record(x);
            byte[] digest = sha256(x.getRequestBody().readAllBytes()).getBytes(StandardCharsets.US_ASCII);
            answer(x, digest);
        });
        backend.createContext("/big", x -> {
            record(x);
            x.getRequestBody().readAllBytes();
            answer(x, BIG);
        });
        backend.start();
    }

    @AfterEach
    void stopBackend() {
        backend.stop(0);
    }

    @Test
    void keepAliveRequestsShareOneBackendConnectionAndCarryTheClientsAddress() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            Channel floor = NettyHttpFloor.start(group, ANY_LOOPBACK_PORT, backend.getAddress());
            URI base = URI.create("http://127.0.0.1:" + ((InetSocketAddress) floor.localAddress()).getPort());
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/echo"))
                        .POST(HttpRequest.BodyPublishers.ofString("request " + i)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(sha256(("request " + i).getBytes(StandardCharsets.US_ASCII)));
            }
            // One client connection (the JDK client keeps it alive): one backend connection, one source port.
            assertThat(seen).hasSize(1);
            assertThat(seen.iterator().next()).endsWith(" 127.0.0.1");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void largeBodiesStreamBothWaysIntact() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            Channel floor = NettyHttpFloor.start(group, ANY_LOOPBACK_PORT, backend.getAddress());
            URI base = URI.create("http://127.0.0.1:" + ((InetSocketAddress) floor.localAddress()).getPort());
            byte[] upload = new byte[3_000_000];
            new Random(8).nextBytes(upload);
            HttpResponse<String> up = client.send(HttpRequest.newBuilder(base.resolve("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(up.body()).isEqualTo(sha256(upload));
            HttpResponse<byte[]> down = client.send(HttpRequest.newBuilder(base.resolve("/big")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(down.statusCode()).isEqualTo(200);
            assertThat(sha256(down.body())).isEqualTo(sha256(BIG));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void theHarnessCommandRunsTheFloorWithTheLaunchersJvmSettings() throws Exception {
        InetSocketAddress listen;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(ANY_LOOPBACK_PORT);
            listen = (InetSocketAddress) probe.getLocalSocketAddress();
        }
        List<String> cmd = NettyHttpFloor.command(listen, backend.getAddress(), 1);
        assertThat(cmd).containsAll(DicomlbStart.LAUNCHER_JVM);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).startsWith("proxying HTTP ").endsWith("-> " + backend.getAddress());
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen.getPort() + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo(sha256("x".getBytes(StandardCharsets.US_ASCII)));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void record(HttpExchange x) {
        seen.add(x.getRemoteAddress().getPort() + " " + x.getRequestHeaders().getFirst("X-Forwarded-For"));
    }

    private static void answer(HttpExchange x, byte[] body) throws IOException {
        x.sendResponseHeaders(200, body.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(body);
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
