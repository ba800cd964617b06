package org.dicomlb.dicom.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.io.Transport;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.RejectSource;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real sockets on 127.0.0.1: our SCU against our simulated SCP and against silent or absent peers. */
class EchoScuLoopbackTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final AeTitle US = AeTitle.of("DICOMLB");
    private static final AeTitle SCP = AeTitle.of("SIMSCP");

    private static EventLoopGroup group;
    private static EchoScu scu;

    @BeforeAll
    static void startGroup() {
        Transport transport = Transport.best();
        group = transport.newGroup(1, "echo-test");
        scu = new EchoScu(group, transport.socketChannelClass());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void echoesAgainstTheSimulatedScpConcurrently() throws Exception {
        try (SimulatedScp scp = SimulatedScp.start(ScpConfig.of(SCP).withRequireCalledAe(true), ANY_LOOPBACK_PORT)) {
            List<CompletableFuture<EchoResult>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(scu.echo(new EchoRequest(US, SCP, scp.localAddress(), Duration.ofSeconds(5))));
            }
            for (CompletableFuture<EchoResult> f : results) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isInstanceOf(EchoResult.Success.class);
            }
            assertThat(scp.stats().echoes()).isEqualTo(20);
            assertThat(scp.stats().releases()).isEqualTo(20);
        }
    }

    @Test
    void wrongCalledAeIsRejectedWithNamedCodes() throws Exception {
        try (SimulatedScp scp = SimulatedScp.start(ScpConfig.of(SCP).withRequireCalledAe(true), ANY_LOOPBACK_PORT)) {
            EchoResult r = scu.echo(new EchoRequest(US, AeTitle.of("NOBODY"), scp.localAddress(), Duration.ofSeconds(5)))
                    .get(10, TimeUnit.SECONDS);
            assertThat(r).isEqualTo(new EchoResult.Rejected(RejectResult.PERMANENT, RejectSource.SERVICE_USER,
                    RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED));
        }
    }

    @Test
    void aClosedPortIsConnectFailed() throws Exception {
        // Not a port the kernel handed out and took back: an outgoing connection could get it as its
        // own port and connect to itself.
        InetSocketAddress closed = new InetSocketAddress("127.0.0.1", org.dicomlb.testkit.Ports.closed("127.0.0.1"));
        EchoResult r = scu.echo(new EchoRequest(US, SCP, closed, Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(EchoResult.ConnectFailed.class);
    }

    @Test
    void aPeerThatAcceptsTcpButNeverAnswersTimesOutOnTime() throws Exception {
        // The kernel completes the handshake from the backlog; nobody ever reads.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            EchoResult r = scu.echo(new EchoRequest(US, SCP, (InetSocketAddress) silent.getLocalSocketAddress(),
                    Duration.ofMillis(300))).get(10, TimeUnit.SECONDS);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r).isEqualTo(new EchoResult.Timeout(EchoResult.Phase.ASSOCIATE));
            assertThat(elapsedMillis).isBetween(250L, 3000L);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void standaloneScuOwnsItsGroup() throws Exception {
        try (SimulatedScp scp = SimulatedScp.start(ScpConfig.of(SCP), ANY_LOOPBACK_PORT);
                StandaloneEchoScu standalone = StandaloneEchoScu.create()) {
            EchoResult r = standalone.echo(new EchoRequest(US, SCP, scp.localAddress(), Duration.ofSeconds(5)))
                    .get(10, TimeUnit.SECONDS);
            assertThat(r).isInstanceOfSatisfying(EchoResult.Success.class,
                    s -> assertThat(s.rtt()).isPositive().isLessThan(Duration.ofSeconds(5)));
        }
    }
}
