package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduType;
import org.dicomlb.engine.dicom.Pdus;
import org.dicomlb.engine.dicom.ScriptedAcceptor;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passive health on a dicom listener. A busy archive answers every association with
 * A-ASSOCIATE-RJ transient (local limit exceeded) yet accepts TCP, so its active tcp check stays
 * green; dicomlb retries each such association on the DCMTK storescp beside it, and the
 * rejections live traffic meets, once enough distinct clients have met them, take the busy
 * archive down between probes.
 */
class PassiveRejectsThroughDicomlbTest {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path work;

    /**
     * Proposes one association from {@code clientIp} and returns the type of the first PDU
     * dicomlb answers with; an accepted association is aborted at once.
     */
    private static int associate(String clientIp, int port) throws IOException {
        byte[] rq = Pdus.rq("ARCHIVE", "MODALITY");
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(clientIp, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
            s.setSoTimeout((int) READ_TIMEOUT.toMillis());
            s.getOutputStream().write(rq);
            int type = s.getInputStream().read();
            if (type == PduType.A_ASSOCIATE_AC.code()) {
                s.getOutputStream().write(PduCodec.encodeToArray(Abort.BY_SERVICE_USER));
            }
            return type;
        }
    }

    @Test
    void rejectionsFromSeveralClientsTakeABusyArchiveDownWhileEveryClientIsServed() throws Exception {
        try (ScriptedAcceptor busy = ScriptedAcceptor.start("127.0.0.1", ScriptedAcceptor.Behaviour.REJECT_TRANSIENT);
             StoreScp good = StoreScp.start(StoreScp.Options.of("ARCHIVE", Files.createDirectories(work.resolve("good"))).forking());
             DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: archive", """
                     - name: archive
                       balance: roundrobin
                       retries: 1
                       # Probes alone would not see it: the tcp check connects fine, once a minute.
                       health-check: { type: tcp, interval: 1m, fast-interval: 2s, down-interval: 1m, timeout: 1s,
                                       rise: 10, fall: 1, observe: { min-clients: 2, window: 30s } }
                       backends:
                         - { name: busy, address: %s }
                         - { name: good, address: 127.0.0.1:%d }""".formatted(busy.hostPort(), good.port())))) {
            Eventually.until(() -> lb.health("archive", "busy").equals("up") && lb.health("archive", "good").equals("up"),
                    Duration.ofSeconds(10), () -> "both archives up");

            // One client's rejections alone never count (min-clients: 2); it is served all the same.
            for (int i = 0; i < 6; i++) {
                assertThat(associate("127.0.5.1", lb.port)).isEqualTo(PduType.A_ASSOCIATE_AC.code());
            }
            assertThat(busy.requestCount()).isGreaterThanOrEqualTo(3);
            assertThat(lb.health("archive", "busy")).isEqualTo("up");

            // Distinct clients' rejections do; every one of them is still accepted, by the other archive.
            for (int i = 2; i <= 20 && !lb.health("archive", "busy").equals("down"); i++) {
                assertThat(associate("127.0.5." + i, lb.port)).isEqualTo(PduType.A_ASSOCIATE_AC.code());
            }
            Eventually.until(() -> lb.health("archive", "busy").equals("down"), Duration.ofSeconds(5),
                    () -> lb.health("archive", "busy"));
            assertThat(lb.healthReason("archive", "busy")).contains("rejected");

            // Once it is down, modalities' associations are not even tried there.
            int before = busy.requestCount();
            for (int i = 0; i < 3; i++) {
                Tools.Result r = Tools.run(Duration.ofSeconds(30), work, List.of(Dcmtk.echoscu().toString(),
                        "-aet", "MODALITY", "-aec", "ARCHIVE", "127.0.0.1", lb.portText()));
                assertThat(r.exitCode()).as(r.toString()).isZero();
            }
            assertThat(busy.requestCount()).isEqualTo(before);
            assertThat(lb.accessLines(1)).anySatisfy(l -> assertThat(l).contains(" backend=good ", " attempts=2 "));
        }
    }
}
