package org.dicomlb.harness.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BinariesTest {
    @Test
    void aMissingPeerFailsNamingTheInstallScript() {
        assertThatThrownBy(() -> Binaries.find("no-such-dicom-tool", "dcmtk"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-dicom-tool")
                .hasMessageContaining("Debian package dcmtk")
                .hasMessageContaining("scripts/install-test-deps.sh");
    }

    @Test
    void findsTheInstalledDcmtkTools() {
        assertThat(Dcmtk.echoscu()).isExecutable();
        assertThat(Dcmtk.storescp()).isExecutable();
    }

    @Test
    void listeningReflectsTheKernelTable() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(Listening.onPort(s.getLocalPort())).isTrue();
        }
        assertThat(Listening.onPort(FreePorts.pick())).isFalse();
    }
}
