package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.config.DicomMode;
import org.dicomlb.engine.config.ListenerMode;
import org.dicomlb.healthcheck.config.DicomEchoProbe;
import org.junit.jupiter.api.Test;

/** The bundled demo configuration is valid and shows what the guide printed by {@code dicomlb demo} promises. */
class DemoConfigTest {
    @Test
    void theDemoConfigurationIsValidAndHasTheDicomListenerTheGuideDescribes() throws Exception {
        String yaml;
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo/demo.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        RootConfig c = RootConfigReader.parse("demo.yaml", yaml);
        var dicom = c.engine().listener("demo-dicom").orElseThrow();
        assertThat(dicom.mode()).isInstanceOf(DicomMode.class);
        assertThat(dicom.bind().getPort()).isEqualTo(10104);
        assertThat(((DicomMode) dicom.mode()).routes()).singleElement().satisfies(r -> assertThat(r.pool()).isEqualTo("demo-qr"));
        assertThat(c.engine().pool(dicom.pool()).orElseThrow().backends())
                .anySatisfy(b -> assertThat(b.calledAe()).isPresent())
                .anySatisfy(b -> assertThat(b.backup()).isTrue());
        // The demo shows the native DICOM check, not a TCP connect, on every DICOM pool.
        for (String pool : new String[] {"demo-archive", "demo-qr"}) {
            assertThat(c.engine().pool(pool).orElseThrow().healthCheck().orElseThrow().probe())
                    .isInstanceOf(DicomEchoProbe.class);
        }
        assertThat(c.engine().listener("demo-tcp").orElseThrow().mode()).isEqualTo(ListenerMode.Tcp.INSTANCE);
    }
}
