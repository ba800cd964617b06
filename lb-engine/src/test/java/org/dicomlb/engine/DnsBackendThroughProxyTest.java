package org.dicomlb.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.dicomlb.dnsproxy.Resolution;
import org.dicomlb.dnsproxy.RoundResult;
import org.dicomlb.dnsproxy.testing.TestDnsServer;
import org.dicomlb.engine.config.BackendAddress;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.EndpointHealth.State;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code dns} backend through a tcp listener: a DNS server the test controls answers for
 * {@code dicom.example.org} with 127.0.1.1 or 127.0.2.1, where two test backends listen on the
 * same port (greeting "a" and "b"). New connections follow the answer; established ones keep
 * flowing or are closed by {@code on-change}; resolvers fail over; health checks follow the
 * endpoints; reloads watch and unwatch names.
 */
class DnsBackendThroughProxyTest {
    private static final String NAME = "dicom.example.org";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final EngineFixture fx = new EngineFixture();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final int port = Ports.free("127.0.1.1");
    private TestBackend a;
    private TestBackend b;

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** Backends "a" on 127.0.1.1 and "b" on 127.0.2.1, one port; DNS servers on 127.0.0.1. */
    private TestDnsServer sites() throws IOException {
        a = TestBackend.startAt("a", new InetSocketAddress(InetAddress.ofLiteral("127.0.1.1"), port));
        closing.add(a);
        b = TestBackend.startAt("b", new InetSocketAddress(InetAddress.ofLiteral("127.0.2.1"), port));
        closing.add(b);
        return dnsServer();
    }

    private TestDnsServer dnsServer() throws IOException {
        TestDnsServer s = TestDnsServer.start("127.0.0.1");
        closing.add(s);
        return s;
    }

    private static String at(TestDnsServer s) {
        return "127.0.0.1:" + s.address().getPort();
    }

    /** One tcp listener, pool p (balance first unless {@code poolSettings} says otherwise), backend "site" resolving NAME. */
    private String config(String poolSettings, String dnsKeys, TestDnsServer... resolvers) {
        List<String> rs = java.util.Arrays.stream(resolvers).map(DnsBackendThroughProxyTest::at).toList();
        return """
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p, timeouts: { connect: 1s } }
                pools:
                  - name: p
                    %s
                    backends:
                      - { name: site, dns: %s, port: %d, resolvers: [%s], resolve-interval: 300ms,
                          resolve-timeout: 100ms%s }
                """.formatted(fx.listenPort, poolSettings.isEmpty() ? "health-check: none" : poolSettings, NAME, port,
                String.join(", ", rs), dnsKeys.isEmpty() ? "" : ", " + dnsKeys);
    }

    private String served() throws IOException {
        return Client.whoServes(fx.front(), null);
    }

    private String servedOrClosed() {
        try {
            return served();
        } catch (IOException e) {
            return "closed: " + e.getMessage();
        }
    }

    private void until(String what, BooleanSupplier condition) {
        Eventually.until(condition, WAIT, () -> what + "; status " + status() + "; resolution " + resolution());
    }

    private EngineStatus.BackendStatus status() {
        return fx.engine.status().pools().getFirst().backends().stream().filter(x -> x.name().equals("site"))
                .findFirst().orElseThrow();
    }

    /**
     * The addresses in the pool's published snapshot, what new connections are balanced over (the
     * status reads the backend, whose endpoints are set a moment before the snapshot is published).
     */
    private List<String> published() {
        return fx.engine.pool("p").endpoints().stream().map(e -> org.dicomlb.config.SocketAddresses.format(e.address()))
                .toList();
    }

    private Resolution resolution() {
        return fx.dns.resolution("p/site").orElse(null);
    }

    private static String echo(Client c, String text) throws IOException {
        c.socket().getOutputStream().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = c.socket().getInputStream();
        StringBuilder line = new StringBuilder();
        int ch;
        while ((ch = in.read()) >= 0 && ch != '\n') {
            line.append((char) ch);
        }
        return line.toString();
    }

    @Test
    void newConnectionsFollowTheAnswerAndAnEstablishedOneKeepsFlowing() throws Exception {
        TestDnsServer dns = sites().answer(NAME, "127.0.1.1");
        fx.start(config("", "", dns));
        assertThat(fx.engine.config().pools().getFirst().backends().getFirst().address())
                .isInstanceOf(BackendAddress.Dns.class);
        until("served by a", () -> servedOrClosed().equals("a"));

        EngineStatus.BackendStatus s = status();
        assertThat(s.dns()).isEqualTo(NAME + ":" + port);
        assertThat(s.address()).isEqualTo("127.0.1.1:" + port);
        assertThat(s.addressSource()).isEqualTo(at(dns));
        assertThat(s.addressAt()).isNotNull();
        assertThat(s.addressProblem()).isEmpty();
        assertThat(s.endpoints()).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo("p/site"));

        try (Client held = Client.connect(fx.front())) {
            assertThat(held.greeting()).isEqualTo("a");
            dns.answer(NAME, "127.0.2.1");
            until("served by b", () -> servedOrClosed().equals("b"));
            assertThat(echo(held, "still here")).as("the connection to the old address keeps flowing").isEqualTo("still here");
            assertThat(a.openConnections()).isEqualTo(1);
            assertThat(status().address()).isEqualTo("127.0.2.1:" + port);
        }
        assertThat(fx.metric("dicomlb_dns_address_changes_total{backend=\"site\",pool=\"p\"}")).isEqualTo(1);
        assertThat(fx.metric("dicomlb_dns_up{backend=\"site\",pool=\"p\"}")).isEqualTo(1);
    }

    @Test
    void withOnChangeShutdownTheConnectionToTheOldAddressIsClosed() throws Exception {
        TestDnsServer dns = sites().answer(NAME, "127.0.1.1");
        try (LogCapture access = LogCapture.accessLog()) {
            fx.start(config("", "on-change: shutdown", dns));
            until("served by a", () -> servedOrClosed().equals("a"));
            int before = access.lines().size();
            try (Client held = Client.connect(fx.front())) {
                assertThat(held.greeting()).isEqualTo("a");
                dns.answer(NAME, "127.0.2.1");
                until("served by b", () -> servedOrClosed().equals("b"));
                assertThat(held.socket().getInputStream().read()).as("closed by dicomlb").isEqualTo(-1);
            }
            until("the held connection's access-log line", () -> access.lines().stream().skip(before)
                    .anyMatch(l -> l.contains("end=address_changed") && l.contains("backend=site")));
        }
    }

    @Test
    void whenTheFirstResolverStopsTheSecondAnswersAndWhenAllStopTheLastAnswerIsKeptForResolveFallRounds()
            throws Exception {
        TestDnsServer first = sites().answer(NAME, "127.0.1.1");
        TestDnsServer second = dnsServer().answer(NAME, "127.0.1.1");
        fx.start(config("", "resolve-fall: 3, on-change: shutdown", first, second));
        until("served by a", () -> servedOrClosed().equals("a"));

        first.stop();
        until("the second resolver answered", () -> at(second).equals(status().addressSource()));
        assertThat(served()).isEqualTo("a");
        assertThat(resolution().consecutiveFailures()).isZero();

        try (Client held = Client.connect(fx.front())) {
            assertThat(held.greeting()).isEqualTo("a");
            second.stop();
            until("one failed round", () -> resolution().consecutiveFailures() >= 1);
            // Kept through resolve-fall - 1 failed rounds: still served, with the reason shown. (Read
            // around the connection: if the third round had not failed after it, the backend was up.)
            Resolution kept = resolution();
            String who = servedOrClosed();
            if (resolution().consecutiveFailures() < 3) {
                assertThat(who).isEqualTo("a");
                assertThat(kept.up()).isTrue();
                assertThat(kept.reason()).hasValueSatisfying(r -> assertThat(r).contains("keeping the last answer"));
            }
            until("down after resolve-fall rounds", () -> published().isEmpty());
            assertThat(resolution().consecutiveFailures()).isEqualTo(3);
            assertThat(status().addressProblem()).contains("no resolver answered", "port unreachable");
            assertThat(status().health()).isEqualTo("none");
            assertThatThrownBy(this::served).as("a tcp client is closed cleanly, not reset")
                    .isInstanceOf(IOException.class).hasMessageContaining("connection closed before a greeting");
            assertThat(echo(held, "kept")).as("dropped for failed rounds is not 'left the answer'").isEqualTo("kept");
        }

        first.restart();
        until("up again at the first answer", () -> servedOrClosed().equals("a"));
        assertThat(status().addressSource()).isEqualTo(at(first));
    }

    @Test
    void aNameThatDoesNotResolveAtStartLeavesTheBackendDownUntilItDoes() throws Exception {
        TestDnsServer dns = sites().mode(TestDnsServer.Mode.NXDOMAIN);
        fx.start(config("", "", dns));
        until("the first round ended", () -> resolution().result() == RoundResult.NXDOMAIN);
        assertThat(status().endpoints()).isEmpty();
        assertThat(status().addressProblem()).contains("NXDOMAIN");
        assertThat(fx.engine.poolServing("p")).contains(false);

        dns.answer(NAME, "127.0.2.1").mode(TestDnsServer.Mode.ANSWER);
        until("served by b", () -> servedOrClosed().equals("b"));
        assertThat(fx.engine.poolServing("p")).contains(true);
    }

    @Test
    void withAddressesAllEachAddressIsAnEndpointAndHealthChecksFollowTheAnswer() throws Exception {
        TestDnsServer dns = sites().answer(NAME, "127.0.2.1", "127.0.1.1");
        String check = "health-check: { type: tcp, interval: 500ms, fast-interval: 300ms, timeout: 250ms, rise: 1, fall: 1 }";
        fx.start(config("balance: roundrobin\n    " + check, "addresses: all", dns));
        String idA = "p/site@127.0.1.1:" + port;
        String idB = "p/site@127.0.2.1:" + port;
        until("two endpoints up", () -> status().endpoints().size() == 2
                && status().endpoints().stream().allMatch(e -> e.health().equals("up")));
        assertThat(status().endpoints()).extracting(EngineStatus.EndpointStatus::id).containsExactly(idA, idB);
        String upA = "dicomlb_endpoint_up{address=\"127.0.1.1:" + port + "\",backend=\"site\",check=\"tcp\",pool=\"p\"}";
        String upB = "dicomlb_endpoint_up{address=\"127.0.2.1:" + port + "\",backend=\"site\",check=\"tcp\",pool=\"p\"}";
        assertThat(fx.metric(upA)).isEqualTo(1);
        assertThat(fx.metric(upB)).isEqualTo(1);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(served());
        }
        assertThat(seen).containsExactlyInAnyOrder("a", "b");

        dns.answer(NAME, "127.0.2.1");
        until("one endpoint left", () -> published().size() == 1);
        assertThat(status().endpoints()).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo(idB));
        // Endpoints are set first, then the checker is told, in the same control-thread task.
        until("the address that left is no longer checked", () -> Double.isNaN(fx.metric(upA)));
        assertThat(fx.metric(upB)).isEqualTo(1);
        Endpoint left = fx.engine.endpoint(idA);
        assertThat(left).isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(served()).isEqualTo("b");
        }

        // A check that fails takes the resolved endpoint down like any other.
        b.kill();
        until("b down", () -> fx.engine.endpoint(idB).health().state() == State.DOWN);
        assertThat(status().addressProblem()).as("health is not resolution").isEmpty();
    }

    /**
     * The GSLB case: site a dies, its checks take the backend's one endpoint down, the GSLB answers
     * with site b. The endpoint keeps its id (pool/backend) at the new address; what the checks said
     * about the old address must not keep the new one from serving while its first probes run.
     */
    @Test
    void whenTheAnswerMovesAwayFromADeadSiteTheNewAddressServesAtOnce() throws Exception {
        TestDnsServer dns = sites().answer(NAME, "127.0.1.1");
        // Probes every 2 s (a dead address is found within one fast-interval, 100 ms): the new
        // address serves long before its first scheduled probe could have said so.
        fx.start(config("health-check: { type: tcp, interval: 2s, fast-interval: 100ms, timeout: 50ms, rise: 1, fall: 1 }",
                "", dns));
        until("served by a", () -> servedOrClosed().equals("a"));
        a.kill();
        until("a down", () -> status().health().equals("down"));

        dns.answer(NAME, "127.0.2.1");
        until("at b", () -> published().equals(List.of("127.0.2.1:" + port)));
        assertThat(status().health()).isNotEqualTo("down");
        assertThat(served()).isEqualTo("b");
        assertThat(status().endpoints()).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo("p/site"));
    }

    @Test
    void aReloadWatchesAndUnwatchesNames() throws Exception {
        TestDnsServer dns = sites().answer(NAME, "127.0.1.1");
        fx.start(config("", "", dns));
        until("served by a", () -> servedOrClosed().equals("a"));

        // The same backend name, now a fixed address: the name is no longer resolved.
        String fixed = """
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p, timeouts: { connect: 1s } }
                pools:
                  - name: p
                    health-check: none
                    backends:
                      - { name: site, address: 127.0.2.1:%d }
                """.formatted(fx.listenPort, port);
        assertThat(fx.apply(fixed).applied()).isTrue();
        assertThat(fx.dns.resolution("p/site")).isEmpty();
        assertThat(fx.metric("dicomlb_dns_up{backend=\"site\",pool=\"p\"}")).isNaN();
        assertThat(status().addressSource()).isEqualTo("config");
        assertThat(status().dns()).isNull();
        assertThat(served()).isEqualTo("b");

        // And back: resolved again, down until its first answer, then following it.
        assertThat(fx.apply(config("", "", dns)).applied()).isTrue();
        until("served by a", () -> servedOrClosed().equals("a"));
        assertThat(status().dns()).isEqualTo(NAME + ":" + port);
    }
}
