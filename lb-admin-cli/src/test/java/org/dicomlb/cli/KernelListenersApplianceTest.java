package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance hands its dsr and nat listeners to the kernel runtime, and a host that cannot
 * serve them (an interface that is not there) refuses the file at start and at reload with the
 * reason, leaving what runs untouched. The kernel itself is exercised in lb-l4's namespace tests
 * and end to end in test-harness's KernelModesWithDcmtkTest.
 */
@Timeout(90)
class KernelListenersApplianceTest {
    @TempDir
    Path dir;

    private static final String NO_SUCH_INTERFACE = "dlbnosuch0";

    /** A proxy listener, and with {@code kernel} a dsr listener of 192.0.2.10 (nobody's) with its own pool. */
    private static String yaml(int port, TestBackend backend, boolean kernel) {
        return """
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p }
                %s
                pools:
                  - name: p
                    health-check: none
                    backends:
                      - { name: %s, address: %s }
                %s""".formatted(port, kernel ? "  - { name: bulk, bind: 192.0.2.10:%d, mode: dsr, interface: %s, pool: real }"
                .formatted(port, NO_SUCH_INTERFACE) : "", backend.name(), backend.hostPort(), kernel ? """
                  - name: real
                    health-check: none
                    backends:
                      - { name: rs1, address: 192.0.2.21:%d }
                """.formatted(port) : "");
    }

    private static String hello(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(2), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aDsrListenerOnAMissingInterfaceIsRefusedAtStartAndNothingIsLeftRunning() throws Exception {
        int port = Ports.free("127.0.0.1");
        try (TestBackend b = TestBackend.start("b1", "127.0.0.11")) {
            Path config = Files.writeString(dir.resolve("dicomlb.yaml"), yaml(port, b, true));
            assertThatThrownBy(() -> Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true),
                    AccessLog.toLogger()))
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining("kernel listeners: listener 'bulk': there is no interface '" + NO_SUCH_INTERFACE
                            + "' on this host");
            assertThatThrownBy(() -> hello(port)).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aReloadAddingADsrListenerTheHostCannotServeIsRejectedAndTheProxyServesOn() throws Exception {
        int port = Ports.free("127.0.0.1");
        try (TestBackend b = TestBackend.start("b1", "127.0.0.11")) {
            Path config = Files.writeString(dir.resolve("dicomlb.yaml"), yaml(port, b, false));
            try (Appliance app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true),
                    AccessLog.toLogger())) {
                String before = hello(port);
                Files.writeString(config, yaml(port, b, true));
                ReloadResult r = app.reload().get(60, TimeUnit.SECONDS);
                assertThat(r.applied()).isFalse();
                assertThat(r.errors()).singleElement().asString().contains("there is no interface '" + NO_SUCH_INTERFACE + "'");
                assertThat(hello(port)).isEqualTo(before);
                assertThat(app.status().l4()).isNull();
                assertThat(app.status().listeners()).extracting(l -> l.name()).containsExactly("front");
            }
        }
    }
}
