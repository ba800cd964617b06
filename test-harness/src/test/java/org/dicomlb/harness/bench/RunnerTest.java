package org.dicomlb.harness.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunnerTest {
    @Test
    void everyVariantTakesEveryPositionOnceOverAsManyRepetitions() {
        List<Variant> all = Variant.PROXY_SCENARIOS;

        assertThat(Runner.rotate(all, 0)).containsExactly(Variant.DIRECT, Variant.DICOMLB, Variant.HAPROXY);
        assertThat(Runner.rotate(all, 1)).containsExactly(Variant.DICOMLB, Variant.HAPROXY, Variant.DIRECT);
        assertThat(Runner.rotate(all, 2)).containsExactly(Variant.HAPROXY, Variant.DIRECT, Variant.DICOMLB);
        assertThat(Runner.rotate(all, 3)).isEqualTo(Runner.rotate(all, 0));
    }
}
