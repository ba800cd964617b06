package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.RejectSource;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.dicom.pdu.UserInformation;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.junit.jupiter.api.Test;

/**
 * Per-source limits under a bounded flood from one client address (127.0.0.21) while another
 * (127.0.0.22) associates normally: the flood gets A-ASSOCIATE-RJ transient, local-limit-exceeded
 * (2/3/2) beyond its limits, counted by reason; the other source is never refused. Clients are
 * plain sockets bound to their source address, speaking PS3.8 with lb-dicom's codec; the backend
 * is lb-dicom's simulated SCP on 127.0.0.11. Everything stays on loopback.
 */
class SourceLimitsThroughDicomlbTest {
    private static final String FLOOD = "127.0.0.21";
    private static final String NEIGHBOUR = "127.0.0.22";
    private static final int SOCKET_TIMEOUT_MILLIS = 15_000;

    /** How one association attempt ended, as the client saw it. */
    private sealed interface Seen {
    }

    private record Accepted(Socket socket) implements Seen {
        /** Releases the association and closes. */
        void release() throws IOException {
            try (socket) {
                socket.getOutputStream().write(PduCodec.encodeToArray(ReleaseRq.INSTANCE));
                readPdu(socket);
            }
        }
    }

    private record Rejected(AssociateRj rj) implements Seen {
    }

    private record Closed(String why) implements Seen {
    }

    private static byte[] request() {
        return PduCodec.encodeToArray(AssociateRq.of(AeTitle.of("ARCHIVE"), AeTitle.of("FLOOD"),
                List.of(PresentationContextRq.of(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN)),
                UserInformation.dicomlb(16_384)));
    }

    private static Pdu readPdu(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] header = new byte[6];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 24) | ((header[3] & 0xff) << 16) | ((header[4] & 0xff) << 8) | (header[5] & 0xff);
        byte[] pdu = new byte[6 + length];
        System.arraycopy(header, 0, pdu, 0, 6);
        in.readFully(pdu, 6, length);
        try {
            return PduCodec.decode(pdu);
        } catch (org.dicomlb.dicom.pdu.PduDecodeException e) {
            throw new IOException(e);
        }
    }

    /** One association attempt from {@code source}; an accepted one stays open until released. */
    private static Seen associate(String source, int port) {
        Socket s = new Socket();
        try {
            s.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            out.write(request());
            out.flush();
            Pdu answer = readPdu(s);
            if (answer instanceof AssociateRj rj) {
                s.close();
                return new Rejected(rj);
            }
            return new Accepted(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already failing
            }
            return new Closed(e.toString());
        }
    }

    private static DicomlbUnderTest dicomlb(SimulatedScp scp, String limits) throws Exception {
        return DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: archive\nsource-limits: " + limits, """
                - name: archive
                  health-check: none
                  backends:
                    - { name: scp, address: 127.0.0.11:%d }""".formatted(scp.localAddress().getPort())));
    }

    private static void assertLocalLimitExceeded(Seen seen) {
        assertThat(seen).isInstanceOfSatisfying(Rejected.class, r -> {
            assertThat(r.rj().result()).isEqualTo(RejectResult.TRANSIENT);
            assertThat(r.rj().source()).isEqualTo(RejectSource.SERVICE_PROVIDER_PRESENTATION);
            assertThat(r.rj().reason()).isEqualTo(RejectReason.LOCAL_LIMIT_EXCEEDED);
        });
    }

    @Test
    void aSourceHoldingItsConnectionsGetsRejectedTransientWhileAnotherSourceIsServed() throws Exception {
        try (SimulatedScp scp = SimulatedScp.start(ScpConfig.of(AeTitle.of("ARCHIVE")), new InetSocketAddress("127.0.0.11", 0));
             DicomlbUnderTest lb = dicomlb(scp, "{ connections: 3 }")) {
            List<Seen> flood = new ArrayList<>();
            List<Seen> neighbour = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                flood.add(associate(FLOOD, lb.port));
                if (i % 3 == 0) {
                    neighbour.add(associate(NEIGHBOUR, lb.port));
                }
            }
            try {
                assertThat(flood.subList(0, 3)).allSatisfy(s -> assertThat(s).isInstanceOf(Accepted.class));
                flood.subList(3, 8).forEach(SourceLimitsThroughDicomlbTest::assertLocalLimitExceeded);
                assertThat(neighbour).as("as many as its own limit").hasSize(3).allSatisfy(s -> assertThat(s).isInstanceOf(Accepted.class));
            } finally {
                for (Seen s : flood) {
                    if (s instanceof Accepted a) {
                        a.release();
                    }
                }
                for (Seen s : neighbour) {
                    if (s instanceof Accepted a) {
                        a.release();
                    }
                }
            }
            // Released connections give their slots back.
            Seen again = associate(FLOOD, lb.port);
            assertThat(again).isInstanceOf(Accepted.class);
            ((Accepted) again).release();
            assertThat(lb.counter("dicomlb_listener_rejected_total{listener=\"dicom\",reason=\"source_connections\"}", 5)).isEqualTo(5);
            assertThat(lb.accessLines(12)).filteredOn(l -> l.contains(" end=source_connections"))
                    .hasSize(5).allSatisfy(l -> assertThat(l).contains(" client=127.0.0.21:", " reject=2-3-2 ", " by=dicomlb "));
        }
    }

    @Test
    void aBoundedFloodIsHeldToItsRateWhileTheNeighbourIsNeverRefused() throws Exception {
        int floodSize = 60;
        try (SimulatedScp scp = SimulatedScp.start(ScpConfig.of(AeTitle.of("ARCHIVE")), new InetSocketAddress("127.0.0.11", 0));
             DicomlbUnderTest lb = dicomlb(scp, "{ rate: 2/s, burst: 4, connections: 50 }")) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                long start = System.nanoTime();
                List<Future<Seen>> flood = new ArrayList<>();
                for (int i = 0; i < floodSize; i++) {
                    flood.add(pool.submit(() -> {
                        Seen s = associate(FLOOD, lb.port);
                        if (s instanceof Accepted a) {
                            a.release();
                        }
                        return s;
                    }));
                }
                // The neighbour's associations go in the middle of the flood, within its own burst.
                List<Seen> neighbour = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Seen s = associate(NEIGHBOUR, lb.port);
                    neighbour.add(s);
                    if (s instanceof Accepted a) {
                        a.release();
                    }
                }
                int accepted = 0;
                for (Future<Seen> f : flood) {
                    Seen s = f.get(60, TimeUnit.SECONDS);
                    if (s instanceof Accepted) {
                        accepted++;
                    } else {
                        assertLocalLimitExceeded(s);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertThat(neighbour).allSatisfy(s -> assertThat(s).isInstanceOf(Accepted.class));
                // The burst, then two per second while the flood lasted (and one for rounding).
                assertThat(accepted).as("accepted in %.1f s", seconds).isBetween(4, 4 + (int) Math.ceil(2 * seconds) + 1);
                assertThat(lb.counter("dicomlb_listener_rejected_total{listener=\"dicom\",reason=\"source_rate\"}", floodSize - accepted))
                        .isEqualTo(floodSize - accepted);
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }
}
