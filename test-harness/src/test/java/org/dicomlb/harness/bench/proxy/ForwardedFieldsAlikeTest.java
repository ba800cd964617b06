package org.dicomlb.harness.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.PeerProcess;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http scenarios compare proxies doing the same work on a request: dicomlb with the bench's
 * configuration (its default forwarded headers), HAProxy with the rules {@link ProxyConfigs} gives
 * it, and the Netty HTTP floor all remove a client's forged forwarded fields and pass on the same
 * four. The backend (the JDK's HTTP server on 127.0.0.21) notes the forwarded fields of each
 * request; the proxies listen on 127.0.0.1.
 */
@Timeout(120)
class ForwardedFieldsAlikeTest {
    private static final List<String> FIELDS = List.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port", "x-real-ip", "forwarded");

    @TempDir
    Path dir;

    private HttpServer backend;
    /** The forwarded fields each request arrived with, by the Host it named (so by proxy). */
    private final Map<String, Map<String, List<String>>> seen = new ConcurrentHashMap<>();
    private final EngineFixture dicomlb = new EngineFixture();
    private PeerProcess haproxy;
    private EventLoopGroup floorLoop;

    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.21", Ports.free("127.0.0.21")), 0);
        backend.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        backend.createContext("/", x -> {
            Map<String, List<String>> fields = new TreeMap<>();
            x.getRequestHeaders().forEach((name, values) -> {
                if (FIELDS.contains(name.toLowerCase(Locale.ROOT))) {
                    fields.put(name.toLowerCase(Locale.ROOT), values);
                }
            });
            seen.put(x.getRequestHeaders().getFirst("Host"), fields);
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        backend.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (haproxy != null) {
            haproxy.close();
        }
        if (floorLoop != null) {
            floorLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        dicomlb.close();
        backend.stop(0);
    }

    @Test
    void dicomlbHaproxyAndTheFloorPassOnTheSameForwardedFields() throws Exception {
        Route route = Route.http(backend.getAddress());

        InetSocketAddress viaDicomlb = new InetSocketAddress("127.0.0.1", dicomlb.listenPort);
        String yaml = ProxyConfigs.dicomlbYaml("alike", route, viaDicomlb, new InetSocketAddress("127.0.0.1", 1));
        // The engine alone runs here: the admin section is the appliance's.
        dicomlb.start(yaml.replaceAll("(?m)^admin:\\n {2}listen: .*\\n", ""));

        int haproxyPort = Ports.free("127.0.0.1");
        Path cfg = Files.writeString(dir.resolve("haproxy.cfg"),
                ProxyConfigs.haproxyCfg("alike", route, new InetSocketAddress("127.0.0.1", haproxyPort), 1, 4096));
        haproxy = PeerProcess.startListeningOn("haproxy", dir, List.of(Binaries.find("haproxy", "haproxy").toString(),
                "-db", "-f", cfg.toString()), haproxyPort, Duration.ofSeconds(10));

        floorLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel floor = NettyHttpFloor.start(floorLoop, new InetSocketAddress("127.0.0.1", 0), backend.getAddress());
        int floorPort = ((InetSocketAddress) floor.localAddress()).getPort();

        for (int port : new int[] {dicomlb.listenPort, haproxyPort, floorPort}) {
            String host = "127.0.0.1:" + port;
            assertThat(get(port, host)).as("through %s", host).startsWith("HTTP/1.1 204");
            assertThat(seen.get(host)).as("the forwarded fields through %s", host).isEqualTo(Map.of(
                    "x-forwarded-for", List.of("127.0.0.1"),
                    "x-forwarded-proto", List.of("http"),
                    "x-forwarded-host", List.of(host),
                    "forwarded", List.of("for=127.0.0.1;proto=http;host=\"" + host + "\"")));
        }
    }

    /** A GET with forged forwarded fields of every kind; the status line and headers of the answer. */
    private static String get(int port, String host) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /alike HTTP/1.1\r\nHost: " + host + "\r\nX-Forwarded-For: 192.0.2.7\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: forged.test\r\nX-Forwarded-Port: 1\r\n"
                    + "X-Real-IP: 192.0.2.7\r\nForwarded: for=192.0.2.7\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
