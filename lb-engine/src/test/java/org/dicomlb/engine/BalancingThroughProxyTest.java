package org.dicomlb.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.EngineFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each balancing algorithm's distribution, measured with real connections through the relay. */
class BalancingThroughProxyTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Map<String, Integer> distribution(int connections, String fromHostPrefix) throws Exception {
        Map<String, Integer> n = new HashMap<>();
        for (int i = 0; i < connections; i++) {
            String from = fromHostPrefix == null ? null : fromHostPrefix + (1 + i % 50);
            n.merge(Client.whoServes(fx.front(), from), 1, Integer::sum);
        }
        return n;
    }

    @Test
    void roundRobinSpreadsByWeight() throws Exception {
        fx.backends(3).start(fx.config("balance: roundrobin", "weight: 3", "weight: 1", "weight: 1"));
        assertThat(distribution(50, null)).containsEntry("b1", 30).containsEntry("b2", 10).containsEntry("b3", 10);
    }

    @Test
    void leastConnBalancesConcurrentConnections() throws Exception {
        fx.backends(3).start(fx.config("balance: leastconn"));
        Map<Client, String> held = new java.util.LinkedHashMap<>();
        try {
            for (int i = 0; i < 30; i++) {
                Client c = Client.connect(fx.front());
                held.put(c, c.greeting());
            }
            Map<String, Integer> n = new HashMap<>();
            held.values().forEach(v -> n.merge(v, 1, Integer::sum));
            assertThat(n).containsEntry("b1", 10).containsEntry("b2", 10).containsEntry("b3", 10);
            // Free two slots on b2: the next two connections must go there.
            List<Client> onB2 = held.entrySet().stream().filter(e -> e.getValue().equals("b2")).map(Map.Entry::getKey)
                    .limit(2).toList();
            for (Client c : onB2) {
                c.close();
                held.remove(c);
            }
            waitFor(() -> fx.endpoint("b2").active() == 8);
            for (int i = 0; i < 2; i++) {
                Client c = Client.connect(fx.front());
                held.put(c, c.greeting());
                assertThat(held.get(c)).isEqualTo("b2");
            }
        } finally {
            for (Client c : held.keySet()) {
                c.close();
            }
        }
    }

    @Test
    void sourceHashKeepsEachClientOnOneBackendAndUsesThemAll() throws Exception {
        fx.backends(3).start(fx.config("balance: source"));
        Map<String, String> firstSeen = new HashMap<>();
        Map<String, Integer> spread = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i <= 40; i++) {
                String from = "127.0.3." + i;
                String who = Client.whoServes(fx.front(), from);
                String before = firstSeen.putIfAbsent(from, who);
                if (before != null) {
                    assertThat(who).as("client %s", from).isEqualTo(before);
                } else {
                    spread.merge(who, 1, Integer::sum);
                }
            }
        }
        assertThat(spread).containsOnlyKeys("b1", "b2", "b3");
        assertThat(spread.values()).allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(5));
    }

    @Test
    void firstSendsEverythingToTheFirstUntilItIsFull() throws Exception {
        fx.backends(3).start(fx.config("balance: first", "max-connections: 2", "max-connections: 2", ""));
        for (int i = 0; i < 5; i++) {
            assertThat(Client.whoServes(fx.front(), null)).isEqualTo("b1");
            // The slot is given back when dicomlb sees the close, a moment after ours.
            waitFor(() -> fx.endpoint("b1").active() == 0);
        }
        List<Client> held = new ArrayList<>();
        try {
            List<String> who = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Client c = Client.connect(fx.front());
                held.add(c);
                who.add(c.greeting());
            }
            assertThat(who).containsExactly("b1", "b1", "b2", "b2", "b3");
        } finally {
            for (Client c : held) {
                c.close();
            }
        }
    }

    @Test
    void backupsServeOnlyWhenNoPrimaryIsLeft() throws Exception {
        fx.backends(3).start(fx.config("balance: roundrobin", "", "", "backup: true"));
        assertThat(distribution(10, null)).containsOnlyKeys("b1", "b2");
        fx.engine.apply(org.dicomlb.engine.testing.Configs.engine(fx.config("balance: roundrobin",
                "weight: 0", "weight: 0", "backup: true"))).join();
        assertThat(distribution(4, null)).containsOnly(Map.entry("b3", 4));
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10s");
            }
            Thread.sleep(10);
        }
    }
}
