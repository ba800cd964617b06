package org.dicomlb.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code source: client} connects to the backend from the client's own address; a kernel
 * listener (dsr, nat) gets no socket from the engine. On loopback: the client connects from
 * 127.0.0.5, the backend listens on 127.0.0.11 (without transparency the kernel would pick
 * 127.0.0.1 as the source). Binding another address needs IP_TRANSPARENT, so CAP_NET_ADMIN (CI runs as root).
 */
@Timeout(60)
class KernelAndTransparentListenersTest {
    /** A backend that reports the source address of each connection it accepts. */
    private static final class Recorder implements AutoCloseable {
        final ServerSocket server = new ServerSocket();
        final LinkedBlockingQueue<InetSocketAddress> peers = new LinkedBlockingQueue<>();

        Recorder(String host) throws IOException {
            server.bind(new InetSocketAddress(host, 0));
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        peers.add((InetSocketAddress) s.getRemoteSocketAddress());
                        s.getOutputStream().write("hello\n".getBytes());
                        s.close();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String hostPort() {
            return "127.0.0.11:" + server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static InetAddress peerOfOneConnection(Recorder backend, int port) throws Exception {
        try (Socket c = new Socket()) {
            c.bind(new InetSocketAddress("127.0.0.5", 0));
            c.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            c.setSoTimeout(5000);
            assertThat(c.getInputStream().read()).isEqualTo('h');
        }
        InetSocketAddress peer = backend.peers.poll(10, TimeUnit.SECONDS);
        assertThat(peer).as("the backend accepted a connection").isNotNull();
        return peer.getAddress();
    }

    @Test
    void transparentListenersDialFromTheClientsAddressAndKernelListenersBindNothing() throws Exception {
        int transparentPort = Ports.free("127.0.0.1");
        int plainPort = Ports.free("127.0.0.1");
        int kernelPort = Ports.free("127.0.0.1");
        try (Recorder backend = new Recorder("127.0.0.11"); EngineFixture f = new EngineFixture()) {
            f.start("""
                    listeners:
                      - { name: transparent, bind: 127.0.0.1:%d, pool: p, source: client }
                      - { name: plain, bind: 127.0.0.1:%d, pool: p }
                      - { name: kernel, bind: 127.0.0.1:%d, mode: nat, pool: p }
                    pools:
                      - name: p
                        health-check: none
                        backends:
                          - { name: b1, address: %s }
                    """.formatted(transparentPort, plainPort, kernelPort, backend.hostPort()));
            assertThat(peerOfOneConnection(backend, transparentPort).getHostAddress()).isEqualTo("127.0.0.5");
            assertThat(peerOfOneConnection(backend, plainPort).getHostAddress()).isNotEqualTo("127.0.0.5");
            assertThatThrownBy(() -> new Socket("127.0.0.1", kernelPort).close()).isInstanceOf(ConnectException.class);
            assertThat(f.engine.status().listeners()).anySatisfy(l -> {
                assertThat(l.name()).isEqualTo("kernel");
                assertThat(l.mode()).isEqualTo("nat");
                assertThat(l.connections()).isZero();
            });
            assertThat(f.engine.listening("kernel")).isFalse();
            assertThat(f.engine.listening("transparent")).isTrue();

            // The plain listener's address becomes a kernel listener's: its socket closes.
            assertThat(f.apply("""
                    listeners:
                      - { name: transparent, bind: 127.0.0.1:%d, pool: p, source: client }
                      - { name: plain, bind: 127.0.0.1:%d, mode: nat, pool: p }
                    pools:
                      - name: p
                        health-check: none
                        backends:
                          - { name: b1, address: %s }
                    """.formatted(transparentPort, plainPort, backend.hostPort())).applied()).isTrue();
            assertThatThrownBy(() -> new Socket("127.0.0.1", plainPort).close()).isInstanceOf(ConnectException.class);
            assertThat(peerOfOneConnection(backend, transparentPort).getHostAddress()).isEqualTo("127.0.0.5");
        }
    }
}
