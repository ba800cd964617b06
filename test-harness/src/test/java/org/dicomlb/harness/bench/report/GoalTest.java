package org.dicomlb.harness.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.harness.bench.Variant;
import org.junit.jupiter.api.Test;

class GoalTest {
    @Test
    void throughputBelowHaproxyIsNotMet() {
        Verdict v = new Goal.AtLeastTimes(Variant.HAPROXY, 1.0).judge(Map.of(Variant.DICOMLB, 9.3, Variant.HAPROXY, 10.0));

        assertThat(v.met()).isFalse();
        assertThat(v.detail()).isEqualTo("0.93×");
    }

    @Test
    void memoryWithinOneAndAHalfTimesIsMet() {
        Verdict v = new Goal.AtMostTimes(Variant.HAPROXY, 1.5).judge(Map.of(Variant.DICOMLB, 60.0, Variant.HAPROXY, 45.0));

        assertThat(v.met()).isTrue();
        assertThat(v.word()).isEqualTo("met");
    }

    @Test
    void addedLatencyIsTheDifferenceToDirect() {
        Verdict v = new Goal.AddedBelow(1.0, "ms").judge(Map.of(Variant.DICOMLB, 1.75, Variant.DIRECT, 0.5));

        assertThat(v.met()).isFalse();
        assertThat(v.detail()).isEqualTo("added 1.25 ms");
    }

    @Test
    void aMissingVariantCannotBeJudged() {
        assertThat(new Goal.AtLeastTimes(Variant.DIRECT, 0.95).judge(Map.of(Variant.DICOMLB, 1.0))).isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void rowsCarryMediansAndRatios() {
        Metric m = Metric.higher("rps", "requests", "req/s").withGoal(new Goal.AtLeastTimes(Variant.HAPROXY, 1.0));
        ScenarioResult r = new ScenarioResult("s", "", List.of(m), Variant.PROXY_SCENARIOS);
        for (double[] rep : new double[][] {{100, 80, 90}, {120, 70, 95}, {110, 75, 60}}) {
            r.add(Variant.DIRECT, Map.of("rps", rep[0]));
            r.add(Variant.DICOMLB, Map.of("rps", rep[1]));
            r.add(Variant.HAPROXY, Map.of("rps", rep[2]));
        }

        ScenarioResult.Row row = r.rows().getFirst();
        assertThat(row.medians()).containsEntry(Variant.DIRECT, 110.0).containsEntry(Variant.DICOMLB, 75.0)
                .containsEntry(Variant.HAPROXY, 90.0);
        assertThat(row.vsHaproxy().orElseThrow()).isCloseTo(75.0 / 90, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(row.verdict().map(Verdict::met)).isEqualTo(Optional.of(false));
        assertThat(MarkdownReport.table(List.of(r))).contains("| s | requests (req/s) | 110 | 75.0 | 90.0 | 0.83× | 0.68× |");
    }
}
