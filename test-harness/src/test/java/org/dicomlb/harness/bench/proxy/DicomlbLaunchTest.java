package org.dicomlb.harness.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DicomlbLaunchTest {
    /** HAProxy's threads are bound exactly when dicomlb's are: after --cpu-affinity auto, not by default. */
    @Test
    void itBindsItsIoThreadsWhenTheArgumentsSayAuto() {
        assertThat(launch().bindsIoThreads()).isFalse();
        assertThat(launch("--cpu-affinity", "auto").bindsIoThreads()).isTrue();
        assertThat(launch("--cpu-affinity=auto").bindsIoThreads()).isTrue();
        assertThat(launch("--cpu-affinity", "off").bindsIoThreads()).isFalse();
        assertThat(launch("--cpu-affinity=auto", "--cpu-affinity", "off").bindsIoThreads()).isFalse();
        assertThat(launch("--transport", "nio", "--cpu-affinity").bindsIoThreads()).isFalse();
    }

    private static DicomlbLaunch launch(String... args) {
        return new DicomlbLaunch(Path.of("/nonexistent"), 2, List.of(), List.of(args));
    }
}
