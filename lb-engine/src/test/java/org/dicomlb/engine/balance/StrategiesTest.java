package org.dicomlb.engine.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.dicomlb.engine.config.Balance;
import org.dicomlb.engine.config.BackendConfig;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.config.QueueConfig;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.testing.Pools;
import org.junit.jupiter.api.Test;

class StrategiesTest {
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    private static Pool pool(Balance balance, BackendConfig... backends) {
        return Pools.live(new PoolConfig("p", balance, 3, QueueConfig.NONE, List.of(backends)));
    }

    private static BackendConfig b(String name, int weight) {
        return new BackendConfig(name, new InetSocketAddress("127.0.0.1", 1000 + name.hashCode() % 1000 + 1000), weight, false, 0);
    }

    private static BackendConfig b(String name, int weight, int max) {
        return new BackendConfig(name, new InetSocketAddress("127.0.0.1", 3000), weight, false, max);
    }

    private static String pickAndRelease(Pool p, InetAddress client) {
        Endpoint e = p.pick(client, Set.of()).endpoint();
        e.release();
        return e.name();
    }

    @Test
    void smoothWeightedRoundRobinInterleaves() {
        Pool p = pool(Balance.ROUNDROBIN, b("a", 5), b("b", 1), b("c", 1));
        List<String> seq = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seq.add(pickAndRelease(p, CLIENT));
        }
        assertThat(String.join("", seq)).isEqualTo("aabacaa");
    }

    @Test
    void roundRobinRespectsWeightsOverManyPicks() {
        Pool p = pool(Balance.ROUNDROBIN, b("a", 300), b("b", 200), b("c", 100));
        Map<String, Integer> n = new HashMap<>();
        for (int i = 0; i < 6000; i++) {
            n.merge(pickAndRelease(p, CLIENT), 1, Integer::sum);
        }
        assertThat(n).containsEntry("a", 3000).containsEntry("b", 2000).containsEntry("c", 1000);
    }

    @Test
    void hugeWeightSumsAreScaledNotRefused() {
        Endpoint[] seq = RoundRobin.sequence(pool(Balance.ROUNDROBIN, b("a", 997), b("b", 991), b("c", 983),
                b("d", 977), b("e", 971)).snapshot().eligible());
        assertThat(seq.length).isLessThanOrEqualTo(RoundRobin.MAX_SEQUENCE + 5);
    }

    @Test
    void leastConnPicksTheLeastLoadedRelativeToWeight() {
        Pool p = pool(Balance.LEASTCONN, b("a", 1), b("b", 1), b("c", 2));
        List<Endpoint> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            held.add(p.pick(CLIENT, Set.of()).endpoint());
        }
        Map<String, Long> n = held.stream().collect(Collectors.groupingBy(Endpoint::name, Collectors.counting()));
        assertThat(n).containsEntry("a", 2L).containsEntry("b", 2L).containsEntry("c", 4L);
        held.get(0).release();
        assertThat(p.pick(CLIENT, Set.of()).endpoint().name()).isEqualTo(held.get(0).name());
    }

    @Test
    void sourceHashIsStableAndMovesOnlyTheRemovedBackendsClients() throws UnknownHostException {
        Pool three = pool(Balance.SOURCE, b("a", 1), b("b", 1), b("c", 1));
        Pool two = pool(Balance.SOURCE, b("a", 1), b("c", 1));
        Pool four = pool(Balance.SOURCE, b("a", 1), b("b", 1), b("c", 1), b("d", 1));
        Map<String, Integer> spread = new HashMap<>();
        int movedOnAdd = 0;
        for (int i = 0; i < 2000; i++) {
            InetAddress client = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 7});
            String before = pickAndRelease(three, client);
            assertThat(pickAndRelease(three, client)).isEqualTo(before);
            spread.merge(before, 1, Integer::sum);
            String after = pickAndRelease(two, client);
            if (!before.equals("b")) {
                assertThat(after).as("client %d kept its backend", i).isEqualTo(before);
            }
            String grown = pickAndRelease(four, client);
            if (!grown.equals(before)) {
                assertThat(grown).isEqualTo("d");
                movedOnAdd++;
            }
        }
        assertThat(spread.values()).allSatisfy(n -> assertThat(n).isBetween(550, 780));
        assertThat(movedOnAdd).isBetween(380, 620);
    }

    @Test
    void sourceHashFallsBackInRankOrderWhenExcluded() throws UnknownHostException {
        Pool p = pool(Balance.SOURCE, b("a", 1), b("b", 1), b("c", 1));
        InetAddress client = InetAddress.getByName("127.0.1.9");
        Endpoint first = p.pick(client, Set.of()).endpoint();
        first.release();
        Endpoint second = p.pick(client, Set.of(first)).endpoint();
        second.release();
        assertThat(second).isNotEqualTo(first);
        assertThat(p.pick(client, Set.of(first)).endpoint()).isEqualTo(second);
    }

    @Test
    void firstFillsInOrderAndSpillsAtMaxConnections() {
        Pool p = pool(Balance.FIRST, b("a", 1, 2), b("b", 1, 2));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            names.add(p.pick(CLIENT, Set.of()).endpoint().name());
        }
        assertThat(names).containsExactly("a", "a", "b", "b");
        assertThat(p.pick(CLIENT, Set.of()).outcome()).isEqualTo(org.dicomlb.engine.pool.Pick.Outcome.ALL_BUSY);
    }

    @Test
    void concurrentPicksNeverExceedMaxConnections() throws Exception {
        Pool p = pool(Balance.ROUNDROBIN, b("a", 1, 3), b("b", 1, 3));
        AtomicInteger over = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    var pick = p.pick(CLIENT, Set.of());
                    if (pick.endpoint() != null) {
                        if (pick.endpoint().active() > 3) {
                            over.incrementAndGet();
                        }
                        pick.endpoint().release();
                    }
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        assertThat(over.get()).isZero();
        assertThat(p.endpoints()).allSatisfy(e -> assertThat(e.active()).isZero());
    }
}
