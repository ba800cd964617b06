package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GcMetricsTest {
    static volatile byte[] sink;

    @Test
    void collectionsAllocationAndTheOldGenerationAreReadWhenAsked() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GcMetrics.bindTo(registry);
        int collectors = ManagementFactory.getGarbageCollectorMXBeans().size();
        assertThat(registry.find("jvm.gc.pause").functionTimers()).hasSize(collectors);
        double countBefore = collections(registry);
        double allocatedBefore = registry.get("jvm.gc.memory.allocated").functionCounter().count();

        for (int i = 0; i < 64; i++) {
            sink = new byte[1 << 20];
        }
        System.gc();

        assertThat(collections(registry)).isGreaterThan(countBefore);
        assertThat(registry.get("jvm.gc.memory.allocated").functionCounter().count())
                .isGreaterThanOrEqualTo(allocatedBefore + 64.0 * (1 << 20));
        Gauge live = registry.get("jvm.gc.live.data.size").gauge();
        assertThat(live.value()).isGreaterThan(0);
        assertThat(registry.get("jvm.gc.max.data.size").gauge().value()).isGreaterThanOrEqualTo(live.value());
        for (FunctionTimer t : registry.find("jvm.gc.pause").functionTimers()) {
            assertThat(t.getId().getTag("gc")).isNotBlank();
            assertThat(t.totalTime(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void prometheusShowsMicrometersNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GcMetrics.bindTo(registry);
        System.gc();
        assertThat(registry.scrape()).contains("jvm_gc_pause_seconds_count{gc=", "jvm_gc_pause_seconds_sum{gc=",
                "jvm_gc_memory_allocated_bytes_total ", "jvm_gc_live_data_size_bytes ", "jvm_gc_max_data_size_bytes ");
    }

    private static double collections(SimpleMeterRegistry registry) {
        return registry.find("jvm.gc.pause").functionTimers().stream().mapToDouble(FunctionTimer::count).sum();
    }
}
