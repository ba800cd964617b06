package org.dicomlb.harness.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.dicomlb.dicom.pdu.PduType;
import org.dicomlb.engine.dicom.Pdus;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.harness.bench.proxy.ProxyConfigs;
import org.dicomlb.harness.bench.proxy.Route;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.PeerProcess;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send, then shut down their write side at once (a request-then-FIN protocol,
 * {@code printf DATA | nc -N}, or a DICOM requestor that half-closes behind its A-ASSOCIATE-RQ):
 * the bytes and the FIN reach the proxy before its backend connection is up. dicomlb must relay
 * them as HAProxy in {@code mode tcp} does, side by side here against the same backends (all on
 * 127.0.0.1 and 127.0.0.11).
 */
class HalfCloseTest {
    private static final int TRIES = 20;

    @TempDir
    Path dir;

    private final EngineFixture dicomlb = new EngineFixture();
    private PeerProcess haproxy;
    private TestBackend echo;
    private StoreScp storescp;

    @AfterEach
    void cleanUp() {
        if (haproxy != null) {
            haproxy.close();
        }
        dicomlb.close();
        if (echo != null) {
            echo.close();
        }
        if (storescp != null) {
            storescp.close();
        }
    }

    /** Sends {@code request}, half-closes, and returns everything that comes back until the proxy closes. */
    private static byte[] sendThenFin(int port, byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            s.shutdownOutput();
            return s.getInputStream().readAllBytes();
        }
    }

    private PeerProcess haproxyTo(InetSocketAddress backend) throws IOException {
        int port = Ports.free("127.0.0.1");
        Path cfg = Files.writeString(dir.resolve("haproxy-" + port + ".cfg"),
                ProxyConfigs.haproxyCfg("half-close", Route.tcp(backend), new InetSocketAddress("127.0.0.1", port), 1, 4096));
        return PeerProcess.startListeningOn("haproxy", dir, List.of(Binaries.find("haproxy", "haproxy").toString(),
                "-db", "-f", cfg.toString()), port, java.time.Duration.ofSeconds(10));
    }

    @Test
    void aTcpClientThatSendsAndHalfClosesAtOnceGetsItsAnswerAsThroughHaproxy() throws Exception {
        echo = TestBackend.start("b1", "127.0.0.11");
        dicomlb.start("""
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: p }
                pools:
                  - { name: p, health-check: none, backends: [ { name: b1, address: %s } ] }
                """.formatted(dicomlb.listenPort, echo.hostPort()));
        haproxy = haproxyTo(echo.address());
        for (int size : new int[] {5, 1000, 64 * 1024}) {
            int viaDicomlb = 0;
            int viaHaproxy = 0;
            for (int i = 0; i < TRIES; i++) {
                byte[] request = new byte[size];
                Arrays.fill(request, (byte) ('a' + i % 26));
                byte[] expected = new byte[3 + size];
                System.arraycopy("b1\n".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 3);
                System.arraycopy(request, 0, expected, 3, size);
                viaDicomlb += Arrays.equals(sendThenFin(dicomlb.listenPort, request), expected) ? 1 : 0;
                viaHaproxy += Arrays.equals(sendThenFin(haproxy.port(), request), expected) ? 1 : 0;
            }
            assertThat(viaHaproxy).as("HAProxy relays %d of %d for %d bytes then FIN", viaHaproxy, TRIES, size)
                    .isEqualTo(TRIES);
            assertThat(viaDicomlb).as("dicomlb relays %d of %d for %d bytes then FIN", viaDicomlb, TRIES, size)
                    .isEqualTo(TRIES);
        }
    }

    @Test
    void aDicomRequestorThatHalfClosesBehindItsRequestGetsTheAcAsThroughHaproxy() throws Exception {
        storescp = StoreScp.start(StoreScp.Options.of("STORESCP", dir.resolve("scp")).forking());
        dicomlb.start("""
                listeners:
                  - { name: dicom, bind: 127.0.0.1:%d, mode: dicom, pool: p }
                pools:
                  - { name: p, health-check: none, backends: [ { name: scp, address: 127.0.0.1:%d } ] }
                """.formatted(dicomlb.listenPort, storescp.port()));
        haproxy = haproxyTo(storescp.address());
        byte[] rq = Pdus.rq("STORESCP", "MODALITY1");
        int viaDicomlb = 0;
        int viaHaproxy = 0;
        for (int i = 0; i < TRIES; i++) {
            viaDicomlb += startsWithAc(sendThenFin(dicomlb.listenPort, rq)) ? 1 : 0;
            viaHaproxy += startsWithAc(sendThenFin(haproxy.port(), rq)) ? 1 : 0;
        }
        assertThat(viaHaproxy).as("A-ASSOCIATE-AC through HAProxy").isEqualTo(TRIES);
        assertThat(viaDicomlb).as("A-ASSOCIATE-AC through dicomlb (then the FIN reached storescp, which closed)")
                .isEqualTo(TRIES);
    }

    private static boolean startsWithAc(byte[] answer) {
        return answer.length > 6 && (answer[0] & 0xff) == PduType.A_ASSOCIATE_AC.code();
    }
}
