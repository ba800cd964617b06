package org.dicomlb.harness.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;

class CheckTargetTest {
    /** Everything here is on 127.0.0.21, the harness's backend address. */
    private static final String HOST = "127.0.0.21";

    @Test
    void acceptsEveryConnectionAndClosesItAtOnceUntilClosed() throws Exception {
        InetSocketAddress listen = new InetSocketAddress(HOST, Ports.free(HOST));
        try (CheckTarget target = CheckTarget.start(listen)) {
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket()) {
                    s.connect(listen, 2000);
                    s.setSoTimeout(2000);
                    InputStream in = s.getInputStream();
                    assertThat(in.read()).as("probe %d sees the close", i).isEqualTo(-1);
                }
            }
        }
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(listen, 2000);
            }
        }).isInstanceOf(ConnectException.class);
    }

    @Test
    void aTakenPortIsAClearError() throws IOException {
        InetSocketAddress listen = new InetSocketAddress(HOST, Ports.free(HOST));
        try (CheckTarget first = CheckTarget.start(listen)) {
            assertThatThrownBy(() -> CheckTarget.start(listen)).isInstanceOf(IOException.class)
                    .hasMessageContaining("check target cannot listen on");
        }
    }
}
