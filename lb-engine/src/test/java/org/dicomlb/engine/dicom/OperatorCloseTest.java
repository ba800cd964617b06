package org.dicomlb.engine.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AbortReason;
import org.dicomlb.dicom.pdu.AbortSource;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.Bytes;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduType;
import org.dicomlb.dicom.pdu.Pdv;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.LiveConnections;
import org.dicomlb.engine.live.OperatorClose;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Live connections as an operator sees them, and closing one: the modality gets an A-ABORT
 * (service provider, not specified) and nothing else changes; the access log says admin_close.
 */
class OperatorCloseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture log = LogCapture.accessLog();
    private final int tcpPort = Ports.free("127.0.0.1");
    private ScriptedAcceptor archive;
    private TestBackend tcpBackend;

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
        if (archive != null) {
            archive.close();
        }
        if (tcpBackend != null) {
            tcpBackend.close();
        }
        log.close();
    }

    private void start() throws Exception {
        archive = ScriptedAcceptor.start("127.0.0.11", ScriptedAcceptor.Behaviour.ACCEPT);
        tcpBackend = TestBackend.start("t1", "127.0.0.12");
        fx.start("""
                listeners:
                  - { name: dicom, bind: 127.0.0.1:%d, mode: dicom, pool: p }
                  - { name: plain, bind: 127.0.0.1:%d, mode: tcp, pool: t }
                pools:
                  - name: p
                    health-check: none
                    backends: [{ name: a, address: %s }]
                  - name: t
                    health-check: none
                    backends: [{ name: t1, address: %s }]
                """.formatted(fx.listenPort, tcpPort, archive.hostPort(), tcpBackend.hostPort()));
    }

    /** An association through the dicom listener, accepted, with one P-DATA-TF sent. */
    private Socket associate(String calling) throws Exception {
        Socket s = new Socket("127.0.0.1", fx.listenPort);
        s.setSoTimeout((int) TIMEOUT.toMillis());
        s.getOutputStream().write(Pdus.rq("ARCHIVE", calling));
        assertThat(Pdus.decode(Pdus.read(s.getInputStream()))).isInstanceOf(AssociateAc.class);
        s.getOutputStream().write(pdata(40));
        return s;
    }

    private static byte[] pdata(int size) {
        return PduCodec.encodeToArray(PDataTf.of(new Pdv(1, false, true, new Bytes(new byte[size]))));
    }

    private LiveConnections list(java.util.function.Predicate<LiveConnection> filter, int limit) {
        return fx.engine.connections(filter, limit).orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    private static boolean calling(LiveConnection c, String ae) {
        return c.dicom() != null && ae.equals(c.dicom().callingAe());
    }

    @Test
    void anOperatorAbortsOneAssociationAndTheOtherCarriesOn() throws Exception {
        start();
        try (Socket ct = associate("CT01"); Socket mr = associate("MR01")) {
            Eventually.until(() -> list(c -> calling(c, "CT01") && c.dicom().pdataIn() != null && c.dicom().pdataIn() == 1, 10)
                    .matched() == 1, TIMEOUT, () -> list(c -> true, 10));
            LiveConnection seen = list(c -> calling(c, "CT01"), 10).connections().getFirst();
            assertThat(seen.listener()).isEqualTo("dicom");
            assertThat(seen.mode()).isEqualTo("dicom");
            assertThat(seen.state()).isEqualTo("relaying");
            assertThat(seen.poolBackend()).isEqualTo("p/a");
            assertThat(seen.server()).isEqualTo(archive.hostPort());
            assertThat(seen.client()).isEqualTo("127.0.0.1:" + ct.getLocalPort());
            assertThat(seen.dicom().calledAe()).isEqualTo("ARCHIVE");
            assertThat(seen.dicom().result()).isEqualTo("accepted");
            assertThat(seen.dicom().pdataOut()).isZero();
            assertThat(seen.bytesIn()).isGreaterThan(40);
            assertThat(list(c -> true, 10).matched()).isEqualTo(2);
            // The limit bounds the listing, not the count.
            LiveConnections one = list(c -> true, 1);
            assertThat(one.connections()).hasSize(1);
            assertThat(one.more()).isEqualTo(1);

            Optional<OperatorClose> closed = fx.engine.closeConnection(seen.id()).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(closed).isPresent();
            assertThat(closed.get().aborted()).isTrue();
            assertThat(closed.get().detail()).contains("sent to the client and the backend");

            // The modality sees an A-ABORT from the service provider, then the end of the stream.
            byte[] abort = Pdus.read(ct.getInputStream());
            assertThat(Pdus.decode(abort)).isEqualTo(new Abort(AbortSource.SERVICE_PROVIDER, AbortReason.NOT_SPECIFIED));
            assertThat(ct.getInputStream().read()).isEqualTo(-1);
            Eventually.until(() -> archive.pduTypes.contains(PduType.A_ABORT.code()), TIMEOUT, () -> archive.pduTypes);

            // The other association still works to its normal end.
            OutputStream out = mr.getOutputStream();
            out.write(pdata(10));
            out.write(PduCodec.encodeToArray(ReleaseRq.INSTANCE));
            assertThat(Pdus.decode(Pdus.read(mr.getInputStream()))).isEqualTo(ReleaseRp.INSTANCE);
        }
        Eventually.until(() -> log.lines().size() >= 2, TIMEOUT, log::lines);
        String ct = log.lines().stream().filter(l -> l.contains("calling_ae=CT01")).findFirst().orElseThrow();
        assertThat(ct).contains(" result=accepted reject=- abort=2-0 by=dicomlb ", " assoc_end=aborted_by_dicomlb ",
                " end=admin_close");
        String mr = log.lines().stream().filter(l -> l.contains("calling_ae=MR01")).findFirst().orElseThrow();
        assertThat(mr).contains(" assoc_end=released pdata_in=2 ").doesNotContain("admin_close");
        assertThat(fx.engine.closeConnection(Long.MAX_VALUE).join()).isEmpty();
    }

    @Test
    void aModalityInTheMiddleOfAPduStillGetsItsAbortAndTheArchiveJustTheClose() throws Exception {
        start();
        try (Socket ct = associate("CT02")) {
            byte[] half = Arrays.copyOf(pdata(1000), 500);
            ct.getOutputStream().write(half);
            Eventually.until(() -> list(c -> c.bytesIn() > 500 + 40, 10).matched() == 1, TIMEOUT, () -> list(c -> true, 10));
            long id = list(c -> calling(c, "CT02"), 10).connections().getFirst().id();
            OperatorClose closed = fx.engine.closeConnection(id).join().orElseThrow();
            assertThat(closed.aborted()).isTrue();
            assertThat(closed.detail()).contains("the backend, in the middle of a PDU, was disconnected");
            assertThat(Pdus.decode(Pdus.read(ct.getInputStream()))).isInstanceOf(Abort.class);
            assertThat(ct.getInputStream().read()).isEqualTo(-1);
        }
        Eventually.until(() -> !log.lines().isEmpty(), TIMEOUT, log::lines);
        assertThat(log.lines().getFirst()).contains(" end=admin_close");
        assertThat(archive.pduTypes).doesNotContain(PduType.A_ABORT.code());
    }

    @Test
    void aTcpConnectionIsListedWithoutDicomFieldsAndClosed() throws Exception {
        start();
        try (Socket s = new Socket("127.0.0.1", tcpPort)) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            InputStream in = s.getInputStream();
            // The test backend greets with its name: the relay is up.
            assertThat(in.read()).isNotEqualTo(-1);
            List<LiveConnection> tcp = list(c -> c.mode().equals("tcp"), 10).connections();
            assertThat(tcp).hasSize(1);
            assertThat(tcp.getFirst().dicom()).isNull();
            assertThat(tcp.getFirst().poolBackend()).isEqualTo("t/t1");
            OperatorClose closed = fx.engine.closeConnection(tcp.getFirst().id()).join().orElseThrow();
            assertThat(closed.aborted()).isFalse();
            while (in.read() >= 0) {
                // the rest of the greeting, then the close
            }
        }
        Eventually.until(() -> !log.lines().isEmpty(), TIMEOUT, log::lines);
        assertThat(log.lines().getFirst()).contains(" mode=tcp ", " end=admin_close");
    }
}
