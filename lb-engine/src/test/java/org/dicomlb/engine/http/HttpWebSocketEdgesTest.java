package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.relay.RelayOptions;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.engine.testing.RawHttp2;
import org.dicomlb.engine.testing.ScriptedBackend;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket pass-through on the wire, against a backend that answers by hand
 * ({@link ScriptedBackend}) and raw-socket clients: refusals stay HTTP, bytes on either side of
 * the 101 are never lost, the tunnel's half-closes, resets, idle timeout, stop, reload and
 * operator close, requests that only look like upgrades never become tunnels, and a client that
 * does not read stalls the backend rather than filling dicomlb's memory. Each case also checks the
 * access log: the upgrade request's line and the tunnel's, each once.
 */
class HttpWebSocketEdgesTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String UPGRADE = "GET /ws HTTP/1.1\r\nHost: viewer.test\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    private static final String AFTER = "GET /after HTTP/1.1\r\nHost: viewer.test\r\n\r\n";

    @TempDir
    Path dir;
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private final LinkedBlockingQueue<byte[]> atBackend = new LinkedBlockingQueue<>();
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private ScriptedBackend backend;

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        if (backend != null) {
            backend.close();
            assertThat(backend.failures()).isEmpty();
        }
    }

    private void start(ScriptedBackend.Script script) throws Exception {
        start(script, "");
    }

    private void start(ScriptedBackend.Script script, String listenerExtra) throws Exception {
        backend = ScriptedBackend.start("127.0.0.21", script);
        fx.start(Configs.httpListener(fx.listenPort, "ws1", backend.hostPort(), listenerExtra));
    }

    /** A text frame as a client sends it (masked, RFC 6455 section 5.3); payloads below 126 octets. */
    static byte[] clientFrame(String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
        byte[] f = new byte[6 + p.length];
        f[0] = (byte) 0x81;
        f[1] = (byte) (0x80 | p.length);
        System.arraycopy(mask, 0, f, 2, 4);
        for (int i = 0; i < p.length; i++) {
            f[6 + i] = (byte) (p[i] ^ mask[i % 4]);
        }
        return f;
    }

    /** A text frame as a server sends it (unmasked); payloads below 126 octets. */
    static byte[] serverFrame(String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[2 + p.length];
        f[0] = (byte) 0x81;
        f[1] = (byte) p.length;
        System.arraycopy(p, 0, f, 2, p.length);
        return f;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Reads exactly {@code n} octets or fails. */
    private static byte[] readExactly(RawHttp c, int n) throws IOException {
        byte[] b = c.socket().getInputStream().readNBytes(n);
        assertThat(b).as("octets before the end").hasSize(n);
        return b;
    }

    /** The connection ends (FIN or reset) within {@code seconds}, with nothing more on it. */
    private static void assertEnds(RawHttp c, int seconds) throws IOException {
        c.socket().setSoTimeout(seconds * 1000);
        try {
            assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open for " + seconds + " s", e);
        } catch (IOException reset) {
            // ended with a reset: ended all the same
        }
    }

    private List<String> awaitLines(int n) {
        Eventually.until(() -> access.lines().size() >= n, Duration.ofSeconds(10), access::lines);
        return access.lines();
    }

    /** The tunnel's line: the one without a request number. */
    private String tunnelLine() {
        Eventually.until(() -> access.lines().stream().anyMatch(l -> !l.contains(" req=")), Duration.ofSeconds(10),
                access::lines);
        List<String> tunnels = access.lines().stream().filter(l -> !l.contains(" req=")).toList();
        assertThat(tunnels).hasSize(1);
        return tunnels.getFirst();
    }

    private void assertOneUpgradeLine() {
        assertThat(access.lines()).filteredOn(l -> l.contains(" status=101 ")).hasSize(1)
                .allSatisfy(l -> assertThat(l).contains(" path=/ws ", " backend=ws1 ").endsWith(" end=complete"));
    }

    /** Answers each head: {@code /refuse/N} with status N, {@code /after} with 200 "next". */
    private void refuseThenServe(ScriptedBackend.Conn c) throws IOException {
        do {
            heads.add(c.head());
            String target = c.head().split(" ")[1];
            if (target.startsWith("/refuse/")) {
                int status = Integer.parseInt(target.substring("/refuse/".length()));
                String extra = status == 426 ? "Upgrade: websocket\r\nConnection: Upgrade\r\n" : "";
                c.write("HTTP/1.1 " + status + " No\r\n" + extra + "Content-Length: 4\r\n\r\nnope");
            } else {
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
            }
        } while (c.readHead() != null);
    }

    // ---- 1. the backend refuses ------------------------------------------------------------------

    @Test
    void aRefusedUpgradeIsAnOrdinaryResponseAndTheConnectionGoesOnAsHttp() throws Exception {
        start(this::refuseThenServe);
        for (int status : new int[] {200, 400, 401, 426}) {
            try (RawHttp c = new RawHttp(fx.front())) {
                RawHttp.Response r = c.send(UPGRADE.replace("/ws", "/refuse/" + status)).read();
                assertThat(r.status()).isEqualTo(status);
                assertThat(r.text()).isEqualTo("nope");
                assertThat(r.header("upgrade")).isNull();
                assertThat(r.header("connection")).isNull();
                RawHttp.Response next = c.send(AFTER).read();
                assertThat(next.status()).isEqualTo(200);
                assertThat(next.text()).isEqualTo("next");
                if (status == 426) {
                    // The connection is HTTP still: a WebSocket frame is not HTTP, and never reaches the backend.
                    RawHttp.Response frame = c.send(clientFrame("no tunnel")).read();
                    assertThat(frame.status()).isEqualTo(400);
                    assertEnds(c, 5);
                }
            }
        }
        assertThat(heads).hasSize(8);
        assertThat(heads).filteredOn(h -> h.startsWith("GET /after ")).hasSize(4);
        List<String> lines = awaitLines(9);
        assertThat(lines).hasSize(9).allSatisfy(l -> assertThat(l).contains(" req="));
        assertThat(lines).filteredOn(l -> l.contains(" path=/refuse/")).hasSize(4)
                .allSatisfy(l -> assertThat(l).endsWith(" end=complete"));
    }

    @Test
    void aRequestPipelinedBehindARefusedUpgradeIsServedAsHttp() throws Exception {
        start(this::refuseThenServe);
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send(UPGRADE.replace("/ws", "/refuse/426") + AFTER);
            RawHttp.Response refused = c.read();
            assertThat(refused.status()).isEqualTo(426);
            RawHttp.Response next = c.read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).isEqualTo("next");
            assertThat(c.send(AFTER).read().text()).isEqualTo("next");
        }
        // Half-closed behind them: both are answered all the same, the last with Connection: close.
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send(UPGRADE.replace("/ws", "/refuse/426") + AFTER);
            c.socket().shutdownOutput();
            assertThat(c.read().status()).isEqualTo(426);
            RawHttp.Response next = c.read();
            assertThat(next.text()).isEqualTo("next");
            assertThat(next.header("connection")).isEqualToIgnoringCase("close");
            assertEnds(c, 5);
        }
        assertThat(awaitLines(5)).hasSize(5).allSatisfy(l -> assertThat(l).endsWith(" end=complete"));
    }

    @Test
    void anUpgradePipelinedBehindARefusedOneOpensItsTunnelWithTheFrameBehindIt() throws Exception {
        start(c -> {
            c.write("HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nContent-Length: 4\r\n\r\nnope");
            assertThat(c.readHead()).startsWith("GET /ws ");
            c.write(c.switching());
            atBackend.add(c.readExactly(clientFrame("early").length));
            c.write(serverFrame("ok"));
            c.readToEnd();
        });
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send(concat(bytes(UPGRADE.replace("/ws", "/refuse/426") + UPGRADE), clientFrame("early")));
            assertThat(c.read().status()).isEqualTo(426);
            assertThat(c.read().status()).isEqualTo(101);
            assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isEqualTo(clientFrame("early"));
            assertThat(readExactly(c, serverFrame("ok").length)).isEqualTo(serverFrame("ok"));
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).contains(" bytes_in=11 ", " bytes_out=4 ");
        assertThat(access.lines()).filteredOn(l -> l.contains(" status=426 ")).hasSize(1);
    }

    // ---- 2. bytes either side of the 101 ---------------------------------------------------------

    @Test
    void theBackendsFirstFrameInTheSegmentOfIts101ReachesTheClient() throws Exception {
        start(c -> {
            c.write(concat(bytes(c.switching()), serverFrame("first")));
            atBackend.add(c.readExactly(clientFrame("ping").length));
            c.write(serverFrame("pong"));
            c.readToEnd();
        });
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send(UPGRADE).read();
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("sec-websocket-accept")).isEqualTo(ScriptedBackend.accept(KEY));
            assertThat(readExactly(c, serverFrame("first").length)).isEqualTo(serverFrame("first"));
            c.send(clientFrame("ping"));
            assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isEqualTo(clientFrame("ping"));
            assertThat(readExactly(c, serverFrame("pong").length)).isEqualTo(serverFrame("pong"));
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).contains(" mode=http ", " backend=ws1 ", " bytes_in=10 ", " bytes_out=13 ")
                .endsWith(" end=client_close");
    }

    @Test
    void aFrameBehindA101WithoutSecWebSocketAcceptIsNotTakenForABody() throws Exception {
        // Netty's response decoder takes such a 101 for a draft-76 handshake, with a body.
        start(c -> {
            c.write(concat(bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
                    serverFrame("first")));
            c.readToEnd();
        });
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(c.send(UPGRADE).read().status()).isEqualTo(101);
            assertThat(readExactly(c, serverFrame("first").length)).isEqualTo(serverFrame("first"));
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).contains(" bytes_out=7 ");
    }

    @Test
    void aFrameTheClientSendsRightBehindItsUpgradeRequestReachesTheBackend() throws Exception {
        start(c -> {
            // The 101 comes well after the client's frame has arrived.
            Thread.sleep(300);
            c.write(c.switching());
            atBackend.add(c.readExactly(clientFrame("early").length));
            c.write(serverFrame("ok"));
            c.readToEnd();
        });
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send(concat(bytes(UPGRADE), clientFrame("early")));
            assertThat(c.read().status()).isEqualTo(101);
            assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isEqualTo(clientFrame("early"));
            assertThat(readExactly(c, serverFrame("ok").length)).isEqualTo(serverFrame("ok"));
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).contains(" bytes_in=11 ", " bytes_out=4 ");
    }

    // ---- 3. the tunnel's endings ---------------------------------------------------------------

    /** A tunnel open through dicomlb, its 101 read. */
    private RawHttp open() throws IOException {
        RawHttp c = new RawHttp(fx.front());
        assertThat(c.send(UPGRADE).read().status()).isEqualTo(101);
        return c;
    }

    @Test
    void aClientHalfCloseReachesTheBackendWhichGoesOnSending() throws Exception {
        start(c -> {
            c.write(c.switching());
            atBackend.add(c.readToEnd());
            c.write("after-fin");
        });
        try (RawHttp c = open()) {
            c.send(clientFrame("bye"));
            c.socket().shutdownOutput();
            assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isEqualTo(clientFrame("bye"));
            assertThat(c.socket().getInputStream().readAllBytes()).isEqualTo(bytes("after-fin"));
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).contains(" bytes_in=9 ", " bytes_out=9 ").endsWith(" end=client_close");
    }

    @Test
    void aBackendHalfCloseReachesTheClientWhichGoesOnSending() throws Exception {
        start(c -> {
            c.write(c.switching());
            c.socket().shutdownOutput();
            atBackend.add(c.readToEnd());
        });
        try (RawHttp c = open()) {
            assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
            c.send(clientFrame("still here"));
            c.socket().shutdownOutput();
            assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isEqualTo(clientFrame("still here"));
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).contains(" bytes_in=16 ", " bytes_out=0 ").endsWith(" end=backend_close");
    }

    @Test
    void aClientThatHalfClosesRightBehindItsUpgradeRequestStillGetsTheTunnelsAnswer() throws Exception {
        start(c -> {
            Thread.sleep(300);
            c.write(c.switching());
            atBackend.add(c.readToEnd());
            c.write(serverFrame("last words"));
        });
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send(UPGRADE);
            c.socket().shutdownOutput();
            assertThat(c.read().status()).isEqualTo(101);
            // The FIN came before the tunnel: the backend gets it all the same, and answers.
            assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(c.socket().getInputStream().readAllBytes()).isEqualTo(serverFrame("last words"));
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).endsWith(" end=client_close");
    }

    @Test
    void aResetFromTheClientEndsTheTunnel() throws Exception {
        start(this::switchAndRecord);
        RawHttp c = open();
        c.send(clientFrame("x"));
        c.socket().setSoLinger(true, 0);
        c.close();
        assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isNotNull();
        assertOneUpgradeLine();
        assertThat(tunnelLine()).endsWith(" end=client_error");
    }

    @Test
    void aResetFromTheBackendEndsTheTunnel() throws Exception {
        start(c -> {
            c.write(c.switching());
            c.readExactly(clientFrame("x").length);
            c.reset();
        });
        try (RawHttp c = open()) {
            c.send(clientFrame("x"));
            assertEnds(c, 10);
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).endsWith(" end=backend_error");
    }

    @Test
    void aSilentTunnelEndsAfterTheIdleTimeout() throws Exception {
        start(this::switchAndRecord, "timeouts: { idle: 1s }");
        try (RawHttp c = open()) {
            long t0 = System.nanoTime();
            assertEnds(c, 10);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(800));
            assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isEmpty();
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).endsWith(" end=idle_timeout");
    }

    /** Switches, then records all the client sends until it ends. */
    private void switchAndRecord(ScriptedBackend.Conn c) throws IOException {
        c.write(c.switching());
        atBackend.add(c.readToEnd());
    }

    /** Echoes what the client sends, frame by frame of {@code n} octets, until the client ends. */
    private static void echo(ScriptedBackend.Conn c, int n) throws IOException {
        c.write(c.switching());
        while (true) {
            byte[] b = c.socket().getInputStream().readNBytes(n);
            if (b.length < n) {
                return;
            }
            c.write(b);
        }
    }

    @Test
    void stoppingLeavesATunnelRunningUntilTheGraceRunsOut() throws Exception {
        int n = clientFrame("ping").length;
        start(c -> echo(c, n));
        try (RawHttp c = open()) {
            CompletableFuture<Integer> left = new CompletableFuture<>();
            long stopAt = System.nanoTime();
            Thread.ofPlatform().daemon().name("test-stop").start(() -> left.complete(fx.engine.drainAndClose(Duration.ofSeconds(3))));
            Eventually.until(() -> !fx.engine.listening("web"), Duration.ofSeconds(10), () -> "still listening");
            for (int i = 0; i < 3; i++) {
                c.send(clientFrame("ping"));
                assertThat(readExactly(c, n)).isEqualTo(clientFrame("ping"));
                Thread.sleep(300);
            }
            assertEnds(c, 10);
            assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isGreaterThan(Duration.ofMillis(2500));
            assertThat(left.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).contains(" bytes_in=30 ", " bytes_out=30 ").endsWith(" end=shutdown");
    }

    @Test
    void aReloadThatRemovesTheListenerLeavesItsTunnelsRunning() throws Exception {
        int n = clientFrame("ping").length;
        start(c -> echo(c, n));
        try (RawHttp c = open()) {
            String moved = Configs.httpListener(Ports.free("127.0.0.1"), "ws1", backend.hostPort(), "");
            assertThat(fx.apply(moved).applied()).isTrue();
            Thread.sleep(500);
            c.send(clientFrame("ping"));
            assertThat(readExactly(c, n)).isEqualTo(clientFrame("ping"));
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).contains(" bytes_in=10 ", " bytes_out=10 ").endsWith(" end=client_close");
    }

    @Test
    void anOperatorCloseEndsATunnel() throws Exception {
        start(this::switchAndRecord);
        try (RawHttp c = open()) {
            var live = fx.engine.connections(v -> true, 10).get(10, TimeUnit.SECONDS);
            assertThat(live.connections()).hasSize(1);
            assertThat(live.connections().getFirst().state()).isEqualTo("relaying");
            assertThat(fx.engine.closeConnection(live.connections().getFirst().id()).get(10, TimeUnit.SECONDS)).isPresent();
            assertEnds(c, 10);
            assertThat(atBackend.poll(10, TimeUnit.SECONDS)).isEmpty();
        }
        assertOneUpgradeLine();
        assertThat(tunnelLine()).endsWith(" end=admin_close");
    }

    // ---- 4. what only looks like an upgrade ------------------------------------------------------

    /** Records each head and answers 101 whatever was asked: a backend that must never get a tunnel it was not asked for. */
    private void alwaysSwitch(ScriptedBackend.Conn c) throws IOException {
        heads.add(c.head());
        c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        atBackend.add(c.readToEnd());
    }

    @Test
    void requestsThatOnlyLookLikeAWebSocketUpgradeAreNeverTunnelled() throws Exception {
        start(this::alwaysSwitch);
        String ws = "Upgrade: websocket\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n";
        String host = "Host: viewer.test\r\n";
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("/no-connection", "GET /no-connection HTTP/1.1\r\n" + host + ws + "\r\n");
        requests.put("/h2c", "GET /h2c HTTP/1.1\r\n" + host + "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
        requests.put("/with-length", "GET /with-length HTTP/1.1\r\n" + host + "Connection: Upgrade\r\n" + ws
                + "Content-Length: 5\r\n\r\nhello");
        requests.put("/chunked", "GET /chunked HTTP/1.1\r\n" + host + "Connection: Upgrade\r\n" + ws
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        requests.put("/http10", "GET /http10 HTTP/1.0\r\n" + host + "Connection: Upgrade\r\n" + ws + "\r\n");
        requests.put("/post", "POST /post HTTP/1.1\r\n" + host + "Connection: Upgrade\r\n" + ws + "Content-Length: 0\r\n\r\n");
        Map<String, Integer> statuses = new LinkedHashMap<>();
        for (var r : requests.entrySet()) {
            try (RawHttp c = new RawHttp(fx.front())) {
                statuses.put(r.getKey(), c.send(r.getValue()).read().status());
            }
        }
        // The backend switched unasked: 502, as its upgrade and the request's were never passed on.
        assertThat(statuses).allSatisfy((path, status) -> assertThat(status).as(path).isEqualTo(502));
        assertThat(heads).hasSize(6).allSatisfy(h -> assertThat(h.toLowerCase(Locale.ROOT))
                .doesNotContain("upgrade", "http2-settings"));
        Eventually.until(() -> access.lines().size() >= 6, Duration.ofSeconds(10), access::lines);
        assertThat(access.lines()).hasSize(6).allSatisfy(l -> assertThat(l).contains(" req=", " status=502 "));
    }

    @Test
    void anHttp2ClientAskingForAWebSocketByExtendedConnectIsRefusedWithoutATunnel() throws Exception {
        TestPki pki = TestPki.create(dir, "web");
        TestPki.Issued cert = pki.server("web", TestPki.Names.cn("viewer.test").dns("viewer.test").ip("127.0.0.1"));
        start(this::alwaysSwitch, "tls: { certificate: %s, key: %s }".formatted(cert.chain(), cert.key()));
        try (RawHttp2 h2 = RawHttp2.open(pki.trustingContext(), fx.listenPort)) {
            RawHttp2.Frame settings = h2.await(RawHttp2.SETTINGS, 0);
            // RFC 8441 section 3: without SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8) a client may not ask.
            for (int i = 0; i + 6 <= settings.payload().length; i += 6) {
                int id = ((settings.payload()[i] & 0xff) << 8) | (settings.payload()[i + 1] & 0xff);
                assertThat(id).isNotEqualTo(0x8);
            }
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            RawHttp2.literal(block, 2, "CONNECT");
            block.write(0);
            RawHttp2.string(block, ":protocol");
            RawHttp2.string(block, "websocket");
            block.write(0x87);
            RawHttp2.literal(block, 4, "/ws");
            RawHttp2.literal(block, 1, "viewer.test");
            block.write(0);
            RawHttp2.string(block, "sec-websocket-version");
            RawHttp2.string(block, "13");
            h2.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1, block.toByteArray()).flush();
            RawHttp2.Frame answer = h2.await(RawHttp2.HEADERS, 1);
            // :status 405 (a literal whose name is static entry 8, :status), as for any CONNECT.
            assertThat(Arrays.copyOf(answer.payload(), 5)).isEqualTo(new byte[] {0x48, 3, '4', '0', '5'});
        }
        Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains(" method=CONNECT ")), Duration.ofSeconds(10),
                access::lines);
        assertThat(access.lines()).hasSize(1).allSatisfy(l -> assertThat(l).contains(" proto=HTTP/2.0 ", " status=405 "));
        assertThat(heads).isEmpty();
    }

    // ---- 5. a client that does not read ----------------------------------------------------------

    /** Direct memory in Netty's allocators: the relay's and the default one. */
    private static long direct() {
        long used = 0;
        for (ByteBufAllocator a : List.of(RelayOptions.BUFFERS, ByteBufAllocator.DEFAULT)) {
            used += a instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : 0;
        }
        return used;
    }

    @Test
    void aClientThatDoesNotReadStallsTheBackendInsteadOfFillingDicomlbsMemory() throws Exception {
        int total = 64 << 20;
        int piece = 64 << 10;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        start(c -> {
            c.socket().setSendBufferSize(64 << 10);
            c.write(c.switching());
            byte[] b = new byte[piece];
            for (int off = 0; off < total; off += piece) {
                for (int i = 0; i < piece; i++) {
                    b[i] = (byte) (off + i);
                }
                c.socket().getOutputStream().write(b);
                written.addAndGet(piece);
            }
            c.socket().getOutputStream().flush();
            c.readToEnd();
        });
        RawHttp c = new RawHttp(fx.front());
        try {
            c.socket().setReceiveBufferSize(64 << 10);
            long directBefore = direct();
            assertThat(c.send(UPGRADE).read().status()).isEqualTo(101);
            long before = -1;
            for (int i = 0; i < 50 && written.get() != before; i++) {
                before = written.get();
                Thread.sleep(200);
            }
            // Stalled: what the backend wrote is in socket buffers (a few MiB on loopback) and
            // dicomlb's write buffer (256 KiB), not the 64 MiB it had to send.
            assertThat(written.get()).isLessThan(24L << 20);
            assertThat(direct() - directBefore).as("direct memory dicomlb took meanwhile").isLessThan(16L << 20);
            InputStream in = c.socket().getInputStream();
            byte[] buf = new byte[256 << 10];
            long got = 0;
            boolean ok = true;
            while (got < total) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    ok &= buf[i] == (byte) (got + i);
                }
                got += n;
            }
            assertThat(got).isEqualTo(total);
            assertThat(ok).isTrue();
        } finally {
            c.close();
        }
    }
}
