package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.echo.EchoRequest;
import org.dicomlb.dicom.echo.EchoResult;
import org.dicomlb.dicom.echo.EchoScu;
import org.dicomlb.io.Transport;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.RejectSource;
import org.dicomlb.harness.peers.Orthanc;
import org.dicomlb.harness.peers.StoreScp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our C-ECHO SCU against acceptors we did not write: DCMTK storescp and Orthanc. */
class EchoScuInteropTest {
    private static final AeTitle US = AeTitle.of("DICOMLB");

    private static EventLoopGroup group;
    private static EchoScu scu;

    @TempDir
    Path work;

    @BeforeAll
    static void startGroup() {
        Transport transport = Transport.best();
        group = transport.newGroup(1, "interop-echo");
        scu = new EchoScu(group, transport.socketChannelClass());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void echoSucceedsAgainstStorescp() throws Exception {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", work))) {
            EchoResult r = echo("STORESCP", scp.address());
            assertThat(r).as(scp.log()).isInstanceOfSatisfying(EchoResult.Success.class,
                    s -> assertThat(s.status()).isZero());
        }
    }

    @Test
    void concurrentEchoesAgainstAForkingStorescpAllSucceed() throws Exception {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", work).forking())) {
            List<CompletableFuture<EchoResult>> all = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                all.add(scu.echo(new EchoRequest(US, AeTitle.of("STORESCP"), scp.address(), Duration.ofSeconds(10))));
            }
            for (CompletableFuture<EchoResult> f : all) {
                assertThat(f.get(20, TimeUnit.SECONDS)).as(scp.log()).isInstanceOf(EchoResult.Success.class);
            }
        }
    }

    /**
     * DCMTK 3.6.7's storescp accepts any called AE and has no option to check it; its
     * {@code --refuse} rejects every association as permanent / service-user / no-reason.
     */
    @Test
    void aRefusingStorescpIsReportedAsRejectedWithItsCodes() throws Exception {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", work).with("--refuse"))) {
            assertThat(echo("STORESCP", scp.address())).as(scp.log()).isEqualTo(new EchoResult.Rejected(
                    RejectResult.PERMANENT, RejectSource.SERVICE_USER, RejectReason.NO_REASON_GIVEN));
        }
    }

    /** Orthanc's DicomCheckCalledAet is the independent peer that checks the called AE. */
    @Test
    void orthancRejectsAnotherCalledAeAndAcceptsItsOwn() throws Exception {
        try (Orthanc orthanc = Orthanc.start("ORTHANC", true, work)) {
            assertThat(echo("WRONG_AE", orthanc.address())).as(orthanc.log()).isEqualTo(new EchoResult.Rejected(
                    RejectResult.PERMANENT, RejectSource.SERVICE_USER, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));
            assertThat(echo("ORTHANC", orthanc.address())).as(orthanc.log()).isInstanceOf(EchoResult.Success.class);
        }
    }

    private static EchoResult echo(String calledAe, InetSocketAddress address) throws Exception {
        return scu.echo(new EchoRequest(US, AeTitle.of(calledAe), address, Duration.ofSeconds(10)))
                .get(20, TimeUnit.SECONDS);
    }
}
