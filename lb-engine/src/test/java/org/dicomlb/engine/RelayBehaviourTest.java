package org.dicomlb.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.engine.BalancingThroughProxyTest.waitFor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TcpSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a client of a tcp listener sees: failover, queueing, limits, half-close, idle timeout, TCP keepalive. */
class RelayBehaviourTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void clientsStillSucceedWhenABackendDiesMidTest() throws Exception {
        fx.backends(3).start(fx.config("balance: roundrobin"));
        Map<String, Integer> n = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            if (i == 10) {
                fx.backend(1).kill();
            }
            n.merge(Client.whoServes(fx.front(), null), 1, Integer::sum);
        }
        assertThat(n.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);
        assertThat(n.get("b2")).isLessThanOrEqualTo(4);
        assertThat(fx.metric("dicomlb_backend_connect_failures_total{backend=\"b2\",pool=\"p\",reason=\"refused\"}"))
                .isGreaterThan(0);
        assertThat(fx.metric("dicomlb_listener_rejected_total{listener=\"front\",reason=\"all_backends_failed\"}")).isNaN();
    }

    /**
     * Request-then-FIN clients ({@code printf DATA | nc -N}): the bytes and the half-close reach
     * the listener before the backend connection is up, and both must still be relayed. HAProxy in
     * mode tcp relays all of them; dicomlb once answered with nothing (bytes_in=0, end=client_error).
     */
    @Test
    void aClientThatSendsAndHalfClosesBeforeTheBackendIsUpGetsItsAnswer() throws Exception {
        fx.backends(1).start(fx.config(""));
        for (int size : new int[] {5, 1000, 64 * 1024}) {
            for (int i = 0; i < 20; i++) {
                byte[] request = new byte[size];
                java.util.Arrays.fill(request, (byte) ('a' + i % 26));
                try (Socket s = new Socket()) {
                    s.setSoTimeout(10_000);
                    s.connect(fx.front(), 5_000);
                    OutputStream out = s.getOutputStream();
                    out.write(request);
                    out.flush();
                    s.shutdownOutput();
                    byte[] answer = s.getInputStream().readAllBytes();
                    byte[] expected = new byte[3 + size];
                    System.arraycopy("b1\n".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 3);
                    System.arraycopy(request, 0, expected, 3, size);
                    assertThat(answer).as("answer to %d bytes then FIN, attempt %d", size, i).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void whenEveryBackendIsDownTheClientIsClosedAndItIsCounted() throws Exception {
        fx.backends(2).start(fx.config("retries: 5"));
        fx.backend(0).kill();
        fx.backend(1).kill();
        assertThatThrownBy(() -> Client.whoServes(fx.front(), null)).isInstanceOf(IOException.class);
        waitFor(() -> fx.metric("dicomlb_listener_rejected_total{listener=\"front\",reason=\"all_backends_failed\"}") == 1.0);
    }

    @Test
    void retriesAreBounded() throws Exception {
        fx.backends(3).start(fx.config("retries: 1"));
        fx.backend(0).kill();
        fx.backend(1).kill();
        // b1 fails, b2 fails, and with retries: 1 the third backend is never tried.
        assertThatThrownBy(() -> Client.whoServes(fx.front(), null)).isInstanceOf(IOException.class);
        assertThat(fx.backend(2).accepted()).isZero();
    }

    @Test
    void fullBackendsQueueConnectionsUntilASlotFrees() throws Exception {
        fx.backends(1).start(fx.config("queue: { size: 2, timeout: 5s }", "max-connections: 1"));
        try (Client first = Client.connect(fx.front())) {
            assertThat(first.greeting()).isEqualTo("b1");
            CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return Client.whoServes(fx.front(), null);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            waitFor(() -> fx.engine.pool("p").queueLength() == 1);
            assertThat(fx.metric("dicomlb_pool_queue_length{pool=\"p\"}")).isEqualTo(1.0);
            first.close();
            assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo("b1");
        }
        assertThat(fx.engine.pool("p").queueLength()).isZero();
    }

    @Test
    void queueTimeoutAndQueueFullAreReportedToTheClientAsAClose() throws Exception {
        fx.backends(1).start(fx.config("queue: { size: 1, timeout: 300ms }", "max-connections: 1"));
        try (Client first = Client.connect(fx.front())) {
            assertThat(first.greeting()).isEqualTo("b1");
            Client waits = Client.connect(fx.front());
            waitFor(() -> fx.engine.pool("p").queueLength() == 1);
            try (Client overflow = Client.connect(fx.front())) {
                assertThat(overflow.socket().getInputStream().read()).isEqualTo(-1);
            }
            assertThat(waits.socket().getInputStream().read()).isEqualTo(-1);
            waits.close();
        }
        waitFor(() -> fx.metric("dicomlb_listener_rejected_total{listener=\"front\",reason=\"queue_timeout\"}") == 1.0);
        assertThat(fx.metric("dicomlb_listener_rejected_total{listener=\"front\",reason=\"queue_full\"}")).isEqualTo(1.0);
    }

    @Test
    void listenerMaxConnectionsHoldsNewClientsInTheBacklog() throws Exception {
        fx.backends(1).start("""
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p, max-connections: 2 }
                pools:
                  - name: p
                    health-check: none
                    backends:
                %s""".formatted(fx.listenPort, fx.backendItems()));
        Client a = Client.connect(fx.front());
        Client b = Client.connect(fx.front());
        assertThat(a.greeting()).isEqualTo("b1");
        assertThat(b.greeting()).isEqualTo("b1");
        // The third TCP handshake completes in the kernel, but dicomlb does not accept it yet.
        Client c = Client.connect(fx.front());
        c.socket().setSoTimeout(500);
        assertThatThrownBy(c::greeting).isInstanceOf(SocketTimeoutException.class);
        // The NOC sees the waiting client (epoll here; NIO would report NaN, not a made-up 0).
        assertThat(fx.metric("dicomlb_listener_queue_length{listener=\"front\"}")).isEqualTo(1.0);
        a.close();
        c.socket().setSoTimeout(5000);
        assertThat(c.greeting()).isEqualTo("b1");
        assertThat(fx.metric("dicomlb_listener_queue_length{listener=\"front\"}")).isZero();
        b.close();
        c.close();
    }

    @Test
    void halfCloseIsPassedOnAndTheAnswerStillArrives() throws Exception {
        // A backend that reads until EOF, then answers with what it counted and closes.
        try (ServerSocket counting = new ServerSocket()) {
            counting.bind(new InetSocketAddress("127.0.0.21", 0));
            Thread.ofVirtual().start(() -> {
                try (Socket s = counting.accept()) {
                    long total = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    s.getOutputStream().write(("got " + total + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // test fails on the client side
                }
            });
            fx.start("""
                    listeners: [ { name: front, bind: 127.0.0.1:%d, pool: p } ]
                    pools: [ { name: p, health-check: none, backends: [ { name: c, address: 127.0.0.21:%d } ] } ]
                    """.formatted(fx.listenPort, counting.getLocalPort()));
            try (Socket s = new Socket()) {
                s.setSoTimeout(5000);
                s.connect(fx.front());
                s.getOutputStream().write(new byte[300_000]);
                s.shutdownOutput();
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).isEqualTo("got 300000\n");
            }
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        fx.backends(1).start("""
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p, timeouts: { idle: 300ms } }
                pools:
                  - name: p
                    health-check: none
                    backends:
                %s""".formatted(fx.listenPort, fx.backendItems()));
        try (Client c = Client.connect(fx.front())) {
            assertThat(c.greeting()).isEqualTo("b1");
            long t0 = System.nanoTime();
            assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(200L, 3000L);
        }
        waitFor(() -> fx.backend(0).openConnections() == 0);
    }

    @Test
    void bytesAndConnectionsAreCounted() throws Exception {
        fx.backends(1).start(fx.config(""));
        try (Client c = Client.connect(fx.front())) {
            c.greeting();
            OutputStream out = c.socket().getOutputStream();
            InputStream in = c.socket().getInputStream();
            out.write(new byte[1000]);
            in.readNBytes(1000);
        }
        waitFor(() -> fx.metric("dicomlb_listener_connections_active{listener=\"front\"}") == 0.0);
        assertThat(fx.metric("dicomlb_listener_bytes_total{direction=\"in\",listener=\"front\"}")).isEqualTo(1000.0);
        assertThat(fx.metric("dicomlb_listener_bytes_total{direction=\"out\",listener=\"front\"}")).isEqualTo(1003.0);
        assertThat(fx.metric("dicomlb_backend_bytes_total{backend=\"b1\",direction=\"out\",pool=\"p\"}")).isEqualTo(1003.0);
        assertThat(fx.metric("dicomlb_backend_connections_total{backend=\"b1\",pool=\"p\"}")).isEqualTo(1.0);
        assertThat(fx.metric("dicomlb_listener_connections_total{listener=\"front\"}")).isEqualTo(1.0);
    }

    /**
     * TCP keepalive is on for both of dicomlb's sockets of a relayed connection, so a peer that
     * vanished without a FIN (a modality switched off mid-association, a backend host lost) is
     * found by the kernel even under a long idle timeout. Read from the kernel's socket tables: an
     * established socket with SO_KEEPALIVE has its keepalive timer pending (timer 2); the test's
     * own client socket, which does not set the option, is the control. Everything here is on
     * 127.0.0.1.
     */
    @Test
    void bothSocketsOfARelayedConnectionHaveTcpKeepalive() throws Exception {
        fx.backends(1).start(fx.config(""));
        int backendPort = fx.backend(0).address().getPort();
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(fx.front(), 5_000);
            // The backend greets first: once its name is here, both of dicomlb's sockets are up.
            byte[] banner = new byte[3];
            assertThat(s.getInputStream().readNBytes(banner, 0, 3)).isEqualTo(3);
            assertThat(new String(banner, StandardCharsets.US_ASCII)).isEqualTo("b1\n");

            Predicate<TcpSockets.Socket> toClient = k -> k.localPort() == fx.listenPort && k.remotePort() == s.getLocalPort();
            Predicate<TcpSockets.Socket> toBackend = k -> k.remotePort() == backendPort && k.established();
            Predicate<TcpSockets.Socket> client = k -> k.localPort() == s.getLocalPort() && k.remotePort() == fx.listenPort;
            // A timer of higher rank (a retransmission waiting for an ACK) would hide the keepalive
            // timer for a moment: read the tables again, for at most two seconds, until it shows.
            List<TcpSockets.Socket> open = TcpSockets.all();
            for (int i = 0; i < 20 && !(open.stream().anyMatch(toClient.and(TcpSockets.Socket::keepalive))
                    && open.stream().anyMatch(toBackend.and(TcpSockets.Socket::keepalive))); i++) {
                Thread.sleep(100);
                open = TcpSockets.all();
            }
            assertThat(open).filteredOn(toClient)
                    .as("dicomlb's socket to the client").singleElement().matches(TcpSockets.Socket::keepalive);
            assertThat(open).filteredOn(toBackend)
                    .as("dicomlb's socket to the backend").singleElement().matches(TcpSockets.Socket::keepalive);
            assertThat(open).filteredOn(client)
                    .as("the test's client socket, without SO_KEEPALIVE").singleElement()
                    .matches(k -> k.established() && !k.keepalive());
        }
    }

    /**
     * A listener on the VIP binds on the backup too, where the address is not on the host (the
     * VIP's keepalived moves it): only addresses declared floating, so a typo still fails.
     * 192.0.2.77 (TEST-NET-1) is on no interface here; binding it sends nothing.
     */
    @Test
    void aListenerOnAFloatingAddressBindsWithoutTheAddressOnTheHost() throws Exception {
        fx.backends(1).start(fx.config(""));
        int port = Ports.free("127.0.0.1");
        String next = fx.config("").replace("pools:", """
                  - { name: vip, bind: 192.0.2.77:%d, pool: p }
                pools:""".formatted(port));
        ReloadResult refused = fx.apply(next);
        assertThat(refused.applied()).isFalse();
        assertThat(refused.errors()).singleElement().asString().contains("listener 'vip' cannot bind 192.0.2.77:" + port);

        fx.engine.floatingAddresses(java.util.Set.of(java.net.InetAddress.ofLiteral("192.0.2.77")));
        ReloadResult bound = fx.apply(next);
        assertThat(bound.applied()).as(bound.errors().toString()).isTrue();
        assertThat(fx.engine.listening("vip")).isTrue();
        assertThat(fx.engine.listening("front")).isTrue();
    }

    @Test
    void aListenerThatCannotBindRejectsTheWholeConfiguration() throws Exception {
        fx.backends(1).start(fx.config(""));
        int taken = Ports.free("127.0.0.1");
        try (ServerSocket blocker = new ServerSocket()) {
            blocker.bind(new InetSocketAddress("127.0.0.1", taken));
            String next = fx.config("").replace("pools:", """
                      - { name: second, bind: 127.0.0.1:%d, pool: p }
                    pools:""".formatted(taken));
            ReloadResult r = fx.apply(next);
            assertThat(r.applied()).isFalse();
            assertThat(r.errors()).singleElement().asString().contains("listener 'second' cannot bind 127.0.0.1:" + taken);
        }
        assertThat(Client.whoServes(fx.front(), null)).isEqualTo("b1");
        assertThat(fx.engine.status().listeners()).extracting(EngineStatus.ListenerStatus::name).containsExactly("front");
    }

    @Test
    void drainEndsStragglersAfterTheGraceAndLogsThem() throws Exception {
        fx.backends(1).start(fx.config(""));
        try (var log = org.dicomlb.engine.testing.LogCapture.accessLog(); Client c = Client.connect(fx.front())) {
            assertThat(c.greeting()).isEqualTo("b1");
            int left = fx.engine.drainAndClose(java.time.Duration.ofMillis(300));
            fx.engine = null;
            assertThat(left).isEqualTo(1);
            assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
            waitFor(() -> log.lines().size() == 1);
            assertThat(log.lines().getFirst()).contains("listener=front", "backend=b1", "end=shutdown");
        }
    }

    /** A backend that resets (crashes) is the backend's error in the log, not its close. */
    @Test
    void aBackendResetEndsTheClientAndIsLoggedAsTheBackendsError() throws Exception {
        fx.backends(1).start(fx.config(""));
        try (var log = org.dicomlb.engine.testing.LogCapture.accessLog(); Client c = Client.connect(fx.front())) {
            assertThat(c.greeting()).isEqualTo("b1");
            fx.backend(0).kill();
            c.socket().setSoTimeout(5_000);
            try {
                assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                // dicomlb may pass the reset on as one: the connection ended either way.
            }
            waitFor(() -> log.lines().size() == 1);
            assertThat(log.lines().getFirst()).contains("backend=b1", "end=backend_error");
        }
    }

    @Test
    void accessLogLineHasEveryField() throws Exception {
        fx.backends(2).start(fx.config(""));
        fx.backend(0).kill();
        try (var log = org.dicomlb.engine.testing.LogCapture.accessLog()) {
            try (Client c = Client.connect(fx.front())) {
                assertThat(c.greeting()).isEqualTo("b2");
            }
            waitFor(() -> log.lines().size() == 1);
            assertThat(log.lines().getFirst()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z listener=front mode=tcp "
                    + "client=127\\.0\\.0\\.1:\\d+ pool=p backend=b2 server=127\\.0\\.0\\.12:\\d+ attempts=2 bytes_in=0 "
                    + "bytes_out=3 duration_ms=\\d+ end=client_close");
        }
    }

    @Test
    void manyParallelClientsAllGetServed() throws Exception {
        fx.backends(3).start(fx.config("balance: leastconn"));
        List<CompletableFuture<String>> all = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 300; i++) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    try (Client c = Client.connect(fx.front())) {
                        String who = c.greeting();
                        c.socket().getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                        return who + ":" + new String(c.socket().getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, pool));
            }
            for (var f : all) {
                assertThat(f.get(20, TimeUnit.SECONDS)).endsWith(":ping\n");
            }
        }
    }
}
