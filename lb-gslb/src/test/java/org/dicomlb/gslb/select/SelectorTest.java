package org.dicomlb.gslb.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.dicomlb.gslb.config.Fallback;
import org.dicomlb.gslb.config.Method;
import org.dicomlb.gslb.select.Candidate.State;
import org.junit.jupiter.api.Test;

class SelectorTest {
    private static Candidate c(String name, String dc, int weight, State state) {
        return new Candidate(name, InetAddress.ofLiteral("127.0.0.1"), Optional.ofNullable(dc), weight, state);
    }

    private static List<String> pick(Method m, Fallback f, List<Candidate> members, String dc) {
        return Selector.choose(m, f, members, Optional.ofNullable(dc), new SplittableRandom(1)).members().stream()
                .map(Candidate::member).toList();
    }

    @Test
    void failoverTakesTheFirstEligibleThenHeldThenFallback() {
        assertThat(pick(Method.FAILOVER, Fallback.ALL, List.of(c("a", null, 1, State.DOWN), c("b", null, 1, State.ELIGIBLE)), null))
                .containsExactly("b");
        // A held member beats nothing.
        assertThat(pick(Method.FAILOVER, Fallback.REFUSE, List.of(c("a", null, 1, State.HELD), c("b", null, 1, State.DOWN)), null))
                .containsExactly("a");
        // Held loses to eligible even when listed first.
        assertThat(pick(Method.FAILOVER, Fallback.REFUSE, List.of(c("a", null, 1, State.HELD), c("b", null, 1, State.ELIGIBLE)), null))
                .containsExactly("b");
        assertThat(pick(Method.FAILOVER, Fallback.ALL, List.of(c("a", null, 1, State.DOWN), c("b", null, 1, State.DOWN)), null))
                .containsExactly("a");
        Choice refused = Selector.choose(Method.FAILOVER, Fallback.REFUSE, List.of(c("a", null, 1, State.DOWN)), Optional.empty(),
                new SplittableRandom(1));
        assertThat(refused.refused()).isTrue();
        assertThat(refused.why()).contains("SERVFAIL");
    }

    @Test
    void allAnswersEveryEligibleMember() {
        assertThat(pick(Method.ALL, Fallback.ALL, List.of(c("a", null, 1, State.ELIGIBLE), c("b", null, 1, State.DOWN),
                c("c", null, 1, State.ELIGIBLE)), null)).containsExactly("a", "c");
        assertThat(pick(Method.ALL, Fallback.ALL, List.of(c("a", null, 1, State.DOWN), c("b", null, 1, State.DOWN)), null))
                .as("fallback all").containsExactly("a", "b");
    }

    @Test
    void topologyPrefersTheClientsDatacenter() {
        List<Candidate> m = List.of(c("a", "dc-a", 1, State.ELIGIBLE), c("b", "dc-b", 1, State.ELIGIBLE));
        assertThat(pick(Method.TOPOLOGY, Fallback.ALL, m, "dc-b")).containsExactly("b");
        assertThat(pick(Method.TOPOLOGY, Fallback.ALL, m, null)).containsExactly("a");
        List<Candidate> bDown = List.of(c("a", "dc-a", 1, State.ELIGIBLE), c("b", "dc-b", 1, State.DOWN));
        assertThat(pick(Method.TOPOLOGY, Fallback.ALL, bDown, "dc-b")).containsExactly("a");
    }

    @Test
    void weightedSharesFollowTheWeights() {
        List<Candidate> m = List.of(c("a", null, 3, State.ELIGIBLE), c("b", null, 1, State.ELIGIBLE), c("c", null, 5, State.DOWN));
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 40_000; i++) {
            counts.merge(Selector.choose(Method.WEIGHTED, Fallback.ALL, m, Optional.empty(), random).members().getFirst().member(), 1,
                    Integer::sum);
        }
        assertThat(counts).doesNotContainKey("c");
        assertThat(counts.get("a") / (double) counts.get("b")).isBetween(2.7, 3.3);
    }
}
