package org.dicomlb.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 100 long-lived connections stream checksummed data while the configuration is reloaded five
 * times and a backend is removed from the pool: not one byte may be lost or corrupted, and new
 * connections follow the new configuration.
 */
class ReloadUnderLoadTest {
    private static final int CONNECTIONS = 100;
    private static final int CHUNKS = 24;

    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private record Result(String backend, long sent, long sentCrc, long received, long receivedCrc) {
    }

    private Result stream(int seed) throws IOException, InterruptedException {
        try (Client c = Client.connect(fx.front())) {
            String backend = c.greeting();
            OutputStream out = c.socket().getOutputStream();
            InputStream in = new DataInputStream(c.socket().getInputStream());
            SplittableRandom rnd = new SplittableRandom(seed);
            CRC32 sentCrc = new CRC32();
            CRC32 receivedCrc = new CRC32();
            long sent = 0;
            long received = 0;
            for (int i = 0; i < CHUNKS; i++) {
                byte[] chunk = new byte[4096 + rnd.nextInt(60_000)];
                rnd.nextBytes(chunk);
                out.write(chunk);
                out.flush();
                sentCrc.update(chunk);
                sent += chunk.length;
                byte[] echo = in.readNBytes(chunk.length);
                receivedCrc.update(echo);
                received += echo.length;
                Thread.sleep(50 + rnd.nextInt(100));
            }
            return new Result(backend, sent, sentCrc.getValue(), received, receivedCrc.getValue());
        }
    }

    @Test
    void longLivedConnectionsSurviveFiveReloadsAndAPoolEdit() throws Exception {
        fx.backends(3).start(fx.config("balance: leastconn"));
        List<CompletableFuture<Result>> running = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CONNECTIONS; i++) {
                int seed = i;
                running.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return stream(seed);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, threads));
            }
            BalancingThroughProxyTest.waitFor(() -> fx.engine.status().listeners().getFirst().connections() == CONNECTIONS);

            int extraPort = Ports.free("127.0.0.1");
            String withSecondListener = fx.config("balance: leastconn").replace("pools:", """
                      - { name: second, bind: 127.0.0.1:%d, pool: p }
                    pools:""".formatted(extraPort));
            List<String> reloads = List.of(
                    fx.config("balance: roundrobin", "weight: 5", "weight: 1", "weight: 1"),
                    withSecondListener,
                    fx.config("balance: source", "max-connections: 500", "", ""),
                    fx.config("balance: leastconn\n    retries: 1"),
                    // The pool edit: b3 leaves the pool; its connections must keep running.
                    fx.config("balance: roundrobin").replace(fx.backend(2).hostPort(), fx.backend(0).hostPort())
                            .replaceAll("(?m)^.*name: b3.*\\n", ""));
            for (String yaml : reloads) {
                ReloadResult r = fx.apply(yaml);
                assertThat(r.applied()).as(r.toString()).isTrue();
                Thread.sleep(250);
            }
            assertThat(fx.engine.pool("p").endpoints()).extracting(e -> e.name()).containsExactly("b1", "b2");
            for (int i = 0; i < 10; i++) {
                assertThat(Client.whoServes(fx.front(), null)).isIn("b1", "b2");
            }

            Map<String, Integer> perBackend = new HashMap<>();
            for (var f : running) {
                Result r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.received()).isEqualTo(r.sent());
                assertThat(r.receivedCrc()).isEqualTo(r.sentCrc());
                perBackend.merge(r.backend(), 1, Integer::sum);
            }
            assertThat(perBackend).containsKey("b3");
            assertThat(perBackend.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CONNECTIONS);
        }
        BalancingThroughProxyTest.waitFor(() -> fx.engine.openConnections() == 0);
        assertThat(fx.metric("dicomlb_config_reloads_total{result=\"success\"}")).isEqualTo(5.0);
    }

    /** A reload that drops a listener closes its socket at once; what it already relays runs to the end. */
    @Test
    void aRemovedListenerStopsAcceptingAndLetsItsConnectionsFinish() throws Exception {
        fx.backends(1);
        int extraPort = Ports.free("127.0.0.1");
        InetSocketAddress extra = new InetSocketAddress("127.0.0.1", extraPort);
        String withSecondListener = fx.config("balance: roundrobin").replace("pools:", """
                  - { name: second, bind: 127.0.0.1:%d, pool: p }
                pools:""".formatted(extraPort));
        fx.start(withSecondListener);
        try (Client c = Client.connect(extra)) {
            assertThat(c.greeting()).isEqualTo("b1");
            assertThat(echoes(c, 1)).isTrue();

            ReloadResult r = fx.apply(fx.config("balance: roundrobin"));
            assertThat(r.applied()).as(r.toString()).isTrue();
            assertThat(fx.engine.status().listeners()).extracting(l -> l.name()).doesNotContain("second");
            assertThatThrownBy(() -> Client.connect(extra).close()).isInstanceOf(ConnectException.class);
            assertThat(Client.whoServes(fx.front(), null)).isEqualTo("b1");

            for (int i = 2; i < 6; i++) {
                assertThat(echoes(c, i)).as("round trip %d after the reload", i).isTrue();
            }
            // The connection whoServes just closed ends asynchronously: wait for the count to settle.
            BalancingThroughProxyTest.waitFor(() -> fx.engine.openConnections() == 1);
        }
        BalancingThroughProxyTest.waitFor(() -> fx.engine.openConnections() == 0);
    }

    /** Sends 64 KiB of seeded bytes and says whether exactly those came back. */
    private static boolean echoes(Client c, int seed) throws IOException {
        byte[] chunk = new byte[65_536];
        new SplittableRandom(seed).nextBytes(chunk);
        c.socket().getOutputStream().write(chunk);
        c.socket().getOutputStream().flush();
        return Arrays.equals(c.socket().getInputStream().readNBytes(chunk.length), chunk);
    }
}
