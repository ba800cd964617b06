package org.dicomlb.harness.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.Variant;
import org.junit.jupiter.api.Test;

class ScenarioResultTest {
    private static final Metric RATE = Metric.higher("rate", "rate", "1/s");
    private static final Metric CPU = Metric.lower("cpu", "proxy CPU", "µs").onlyThroughProxies();

    private static ScenarioResult result() {
        return new ScenarioResult("s", "summary", List.of(RATE, CPU), Variant.PROXY_SCENARIOS);
    }

    @Test
    void aProxyOnlyMetricHasNoDirectValueAndNoRatioToDirect() {
        ScenarioResult r = result();
        r.add(Variant.DIRECT, Map.of("rate", 100.0));
        r.add(Variant.DICOMLB, Map.of("rate", 90.0, "cpu", 300.0));
        r.add(Variant.HAPROXY, Map.of("rate", 95.0, "cpu", 100.0));

        ScenarioResult.Row cpu = r.rows().get(1);
        assertThat(cpu.medians()).containsOnlyKeys(Variant.DICOMLB, Variant.HAPROXY);
        assertThat(cpu.vsHaproxy()).hasValue(3.0);
        assertThat(cpu.vsDirect()).isEmpty();
        assertThat(r.rows().get(0).vsDirect()).hasValue(0.9);
        assertThat(MarkdownReport.table(List.of(r))).contains("| s | proxy CPU (µs) | – | 300 | 100 | 3.00× | – |");
    }

    @Test
    void aMeasurementMustCarryExactlyTheMetricsOfItsVariant() {
        ScenarioResult r = result();

        assertThatThrownBy(() -> r.add(Variant.DICOMLB, Map.of("rate", 90.0))).hasMessageContaining("via dicomlb");
        assertThatThrownBy(() -> r.add(Variant.DIRECT, Map.of("rate", 90.0, "cpu", 1.0))).hasMessageContaining("via direct");
    }

    @Test
    void theNettyRelayIsReportedInTheNotesWithDicomlbsRatioToIt() {
        ScenarioResult r = new ScenarioResult("s", "summary", List.of(RATE, CPU), Variant.WITH_NETTY_RELAY);
        r.add(Variant.DIRECT, Map.of("rate", 100.0));
        r.add(Variant.DICOMLB, Map.of("rate", 90.0, "cpu", 300.0));
        r.add(Variant.HAPROXY, Map.of("rate", 95.0, "cpu", 100.0));
        r.add(Variant.NETTY_RELAY, Map.of("rate", 80.0, "cpu", 250.0));

        assertThat(r.rows().get(0).dicomlbOver(Variant.NETTY_RELAY)).hasValue(90.0 / 80.0);
        assertThat(MarkdownReport.table(List.of(r))).doesNotContain("250");
        assertThat(MarkdownReport.floors(r)).isEqualTo("Netty relay (the least relay on dicomlb's transport and JVM settings):"
                + " rate 80.0 1/s (dicomlb÷floor 1.13×); proxy CPU 250 µs (dicomlb÷floor 1.20×).");
        assertThat(MarkdownReport.floors(result())).isEmpty();
    }
}
