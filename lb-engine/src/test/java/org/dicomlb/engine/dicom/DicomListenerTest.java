package org.dicomlb.engine.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.echo.EchoRequest;
import org.dicomlb.dicom.echo.EchoResult;
import org.dicomlb.dicom.echo.StandaloneEchoScu;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduType;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.RejectSource;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A dicom listener over real sockets: our C-ECHO SCU and raw clients in front, simulated and
 * scripted acceptors behind. What a modality would notice: success, failover that it never
 * sees, the reject it gets when nothing can serve it, and its AE titles as it sent them.
 */
class DicomListenerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final EngineFixture fx = new EngineFixture();
    private final int port = fx.listenPort;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final LogCapture log = LogCapture.accessLog();
    private final StandaloneEchoScu echo = StandaloneEchoScu.create();
    @AfterEach
    void tearDown() throws Exception {
        fx.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
        echo.close();
        log.close();
    }

    private SimulatedScp scp(String host, ScpConfig config) {
        SimulatedScp s = SimulatedScp.start(config, new InetSocketAddress(host, 0));
        closeables.add(s);
        return s;
    }

    private SimulatedScp scp(String host) {
        return scp(host, ScpConfig.of(AeTitle.of("ARCHIVE")));
    }

    private ScriptedAcceptor scripted(String host, ScriptedAcceptor.Behaviour b) throws Exception {
        ScriptedAcceptor s = ScriptedAcceptor.start(host, b);
        closeables.add(s);
        return s;
    }

    private static String at(SimulatedScp s) {
        return s.localAddress().getAddress().getHostAddress() + ":" + s.localAddress().getPort();
    }

    private void start(String listenerExtras, String pools) throws Exception {
        fx.start("""
                listeners:
                  - name: dicom
                    bind: 127.0.0.1:%d
                    mode: dicom
                    timeouts: { connect: 1s, associate: 2s }
                %s
                pools:
                %s""".formatted(port, listenerExtras, pools));
    }

    /** A pool without health checks: scripted backends must see only the test's associations. */
    private static String pool(String name, String settings, String... backends) {
        StringBuilder sb = new StringBuilder("  - name: " + name + "\n    balance: first\n    health-check: none\n");
        if (!settings.isEmpty()) {
            sb.append("    ").append(settings).append('\n');
        }
        sb.append("    backends:\n");
        for (String b : backends) {
            sb.append("      - { ").append(b).append(" }\n");
        }
        return sb.toString();
    }

    private EchoResult echo(String called, String calling) {
        return echo.echo(new EchoRequest(AeTitle.of(calling), AeTitle.of(called),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT)).join();
    }

    private String accessLine() {
        Eventually.until(() -> !log.lines().isEmpty(), TIMEOUT, log::lines);
        assertThat(log.lines()).hasSize(1);
        return log.lines().getFirst();
    }

    private double metric(String series) {
        return fx.metric(series);
    }

    @Test
    void anEchoGoesThroughAndItsAssociationIsLoggedAndCounted() throws Exception {
        SimulatedScp a = scp("127.0.0.11");
        start("    pool: p", pool("p", "", "name: a, address: " + at(a)));

        assertThat(echo("ARCHIVE", "MODALITY1")).isInstanceOf(EchoResult.Success.class);

        assertThat(a.stats().echoes()).isOne();
        assertThat(accessLine()).contains(" mode=dicom ", " pool=p backend=a ", " attempts=1 ",
                " calling_ae=MODALITY1 called_ae=ARCHIVE called_ae_sent=- route=default result=accepted reject=- abort=- by=-"
                        + " contexts_proposed=1 contexts_accepted=1 assoc_end=released pdata_in=1 pdata_out=1 ");
        Eventually.until(() -> metric("dicomlb_associations_total{backend=\"a\",listener=\"dicom\",pool=\"p\",result=\"accepted\"}") == 1.0,
                TIMEOUT, () -> fx.registry.scrape());
        assertThat(metric("dicomlb_association_duration_seconds_count{listener=\"dicom\",pool=\"p\",result=\"accepted\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void transientRejectsSilentClosesAndAbortsFailOverWithTheSameRequest() throws Exception {
        ScriptedAcceptor rejects = scripted("127.0.0.11", ScriptedAcceptor.Behaviour.REJECT_TRANSIENT);
        ScriptedAcceptor closes = scripted("127.0.0.12", ScriptedAcceptor.Behaviour.CLOSE);
        ScriptedAcceptor aborts = scripted("127.0.0.13", ScriptedAcceptor.Behaviour.ABORT);
        ScriptedAcceptor garbage = scripted("127.0.0.14", ScriptedAcceptor.Behaviour.GARBAGE);
        SimulatedScp good = scp("127.0.0.15");
        start("    pool: p", pool("p", "retries: 4",
                "name: rejects, address: " + rejects.hostPort(),
                "name: closes, address: " + closes.hostPort(),
                "name: aborts, address: " + aborts.hostPort(),
                "name: garbage, address: " + garbage.hostPort(),
                "name: good, address: " + at(good)));

        assertThat(echo("ARCHIVE", "MODALITY1")).isInstanceOf(EchoResult.Success.class);

        byte[] sent = rejects.requests.getFirst();
        assertThat(closes.requests).singleElement().isEqualTo(sent);
        assertThat(aborts.requests).singleElement().isEqualTo(sent);
        assertThat(garbage.requests).singleElement().isEqualTo(sent);
        assertThat(accessLine()).contains(" backend=good ", " attempts=5 ", " result=accepted ");
        for (String[] b : new String[][] {{"rejects", "associate_rejected"}, {"closes", "associate_closed"},
            {"aborts", "associate_aborted"}, {"garbage", "associate_invalid"}}) {
            assertThat(metric("dicomlb_backend_connect_failures_total{backend=\"" + b[0] + "\",pool=\"p\",reason=\"" + b[1] + "\"}"))
                    .as(b[0]).isEqualTo(1.0);
        }
    }

    @Test
    void aSilentBackendIsGivenUpAfterTheAssociateTimeout() throws Exception {
        ScriptedAcceptor silent = scripted("127.0.0.11", ScriptedAcceptor.Behaviour.SILENT);
        SimulatedScp good = scp("127.0.0.12");
        start("    pool: p", pool("p", "", "name: silent, address: " + silent.hostPort(), "name: good, address: " + at(good)));

        long t0 = System.nanoTime();
        assertThat(echo("ARCHIVE", "MODALITY1")).isInstanceOf(EchoResult.Success.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(6));
        assertThat(metric("dicomlb_backend_connect_failures_total{backend=\"silent\",pool=\"p\",reason=\"associate_timeout\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void aPermanentRejectReachesTheClientAndIsNotRetried() throws Exception {
        ScriptedAcceptor rejects = scripted("127.0.0.11", ScriptedAcceptor.Behaviour.REJECT_PERMANENT);
        SimulatedScp good = scp("127.0.0.12");
        start("    pool: p", pool("p", "", "name: rejects, address: " + rejects.hostPort(), "name: good, address: " + at(good)));

        assertThat(echo("ARCHIVE", "MODALITY1")).isEqualTo(new EchoResult.Rejected(RejectResult.PERMANENT,
                RejectSource.SERVICE_USER, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));

        assertThat(good.stats().associations()).isZero();
        assertThat(accessLine()).contains(" backend=rejects ", " result=rejected reject=1-1-7 abort=- by=backend ",
                " end=backend_close");
        assertThat(metric("dicomlb_association_rejects_total{by=\"backend\",listener=\"dicom\",reason=\"called_ae_title_not_recognized\",result=\"permanent\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void whenNoBackendCanServeTheClientGetsATransientCongestionReject() throws Exception {
        int closedPort = Ports.free("127.0.0.11");
        start("    pool: p", pool("p", "", "name: down, address: 127.0.0.11:" + closedPort));

        assertThat(echo("ARCHIVE", "MODALITY1")).isEqualTo(new EchoResult.Rejected(RejectResult.TRANSIENT,
                RejectSource.SERVICE_PROVIDER_PRESENTATION, RejectReason.TEMPORARY_CONGESTION));
        assertThat(accessLine()).contains(" result=rejected reject=2-3-1 abort=- by=dicomlb ", " end=all_backends_failed");
    }

    @Test
    void theCalledAeIsRewrittenForTheBackendAndRestoredInTheAc() throws Exception {
        SimulatedScp strict = scp("127.0.0.11", ScpConfig.of(AeTitle.of("ARCHIVE1")).withRequireCalledAe(true));
        start("    pool: p", pool("p", "", "name: strict, address: " + at(strict) + ", called-ae: ARCHIVE1"));

        byte[] rq = Pdus.rq("VIP", "MODALITY1");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(rq);
            byte[] ac = Pdus.read(in);
            assertThat(ac[0]).isEqualTo((byte) PduType.A_ASSOCIATE_AC.code());
            assertThat(Pdus.aeFields(ac)).as("AE fields of the AC as the client sees them").isEqualTo(Pdus.aeFields(rq));
            out.write(PduCodec.encodeToArray(org.dicomlb.dicom.pdu.ReleaseRq.INSTANCE));
            assertThat(Pdus.read(in)[0]).isEqualTo((byte) PduType.A_RELEASE_RP.code());
        }
        assertThat(strict.stats().rejections()).isZero();
        assertThat(accessLine()).contains(" calling_ae=MODALITY1 called_ae=VIP called_ae_sent=ARCHIVE1 ",
                " result=accepted ", " assoc_end=released pdata_in=0 pdata_out=0 ");
    }

    @Test
    void routesPickPoolsByCalledAeAndUnroutedAssociationsAreRejected() throws Exception {
        SimulatedScp archive = scp("127.0.0.11");
        SimulatedScp qr = scp("127.0.0.12");
        start("""
                    routes:
                      - { called-ae: "QR_*", pool: qr }
                      - { name: ct, called-ae: ARCHIVE, calling-ae: "CT*", pool: archive }
                """, pool("archive", "", "name: a, address: " + at(archive)) + pool("qr", "", "name: q, address: " + at(qr)));

        assertThat(echo("QR_MAIN", "VIEWER")).isInstanceOf(EchoResult.Success.class);
        assertThat(echo("ARCHIVE", "CT01")).isInstanceOf(EchoResult.Success.class);
        assertThat(echo("ARCHIVE", "MR01")).isEqualTo(new EchoResult.Rejected(RejectResult.PERMANENT,
                RejectSource.SERVICE_USER, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));

        assertThat(qr.stats().echoes()).isOne();
        assertThat(archive.stats().echoes()).isOne();
        Eventually.until(() -> log.lines().size() == 3, TIMEOUT, log::lines);
        assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains(" pool=qr backend=q ", " route=1 "))
                .anySatisfy(l -> assertThat(l).contains(" pool=archive backend=a ", " route=ct "))
                .anySatisfy(l -> assertThat(l).contains(" pool=- backend=- ", " route=- result=rejected reject=1-1-7 ",
                        " by=dicomlb ", " end=protocol"));
    }

    @Test
    void callingAesOutsideTheAllowListAreRejected() throws Exception {
        SimulatedScp a = scp("127.0.0.11");
        start("    pool: p\n    allowed-calling-aes: [\"MOD*\", CT01]", pool("p", "", "name: a, address: " + at(a)));

        assertThat(echo("ARCHIVE", "CT01")).isInstanceOf(EchoResult.Success.class);
        assertThat(echo("ARCHIVE", "INTRUDER")).isEqualTo(new EchoResult.Rejected(RejectResult.PERMANENT,
                RejectSource.SERVICE_USER, RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED));
        assertThat(a.stats().associations()).isOne();
    }

    @Test
    void anAbortAfterTheAcIsLoggedAsTheClients() throws Exception {
        SimulatedScp a = scp("127.0.0.11");
        start("    pool: p", pool("p", "", "name: a, address: " + at(a)));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(Pdus.rq("ARCHIVE", "MODALITY1"));
            assertThat(Pdus.read(s.getInputStream())[0]).isEqualTo((byte) PduType.A_ASSOCIATE_AC.code());
            s.getOutputStream().write(PduCodec.encodeToArray(Abort.BY_SERVICE_USER));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(accessLine()).contains(" result=accepted ", " assoc_end=aborted_by_client ");
    }

    @Test
    void anAbortTheBackendSendsRightBehindItsAcReachesTheClientAndIsLoggedAsTheBackends() throws Exception {
        ScriptedAcceptor a = scripted("127.0.0.11", ScriptedAcceptor.Behaviour.ACCEPT_THEN_ABORT);
        start("    pool: p", pool("p", "", "name: a, address: " + a.hostPort()));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(Pdus.rq("ARCHIVE", "MODALITY1"));
            assertThat(Pdus.read(s.getInputStream())[0]).isEqualTo((byte) PduType.A_ASSOCIATE_AC.code());
            assertThat(Pdus.read(s.getInputStream())[0]).isEqualTo((byte) PduType.A_ABORT.code());
            assertThat(s.getInputStream().read()).as("closed after the backend left").isEqualTo(-1);
        }
        assertThat(accessLine()).contains(" result=accepted ", " assoc_end=aborted_by_backend ");
    }

    @Test
    void withoutObservingPdusTheEndOfTheAssociationIsNotKnown() throws Exception {
        SimulatedScp a = scp("127.0.0.11");
        start("    pool: p\n    observe-pdus: false", pool("p", "", "name: a, address: " + at(a)));
        assertThat(echo("ARCHIVE", "MODALITY1")).isInstanceOf(EchoResult.Success.class);
        assertThat(accessLine()).contains(" result=accepted ", " assoc_end=- pdata_in=- pdata_out=- ");
    }
}
