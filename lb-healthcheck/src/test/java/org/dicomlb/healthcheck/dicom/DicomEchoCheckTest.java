package org.dicomlb.healthcheck.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.healthcheck.CheckOutcome;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.healthcheck.config.DicomEchoProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dicom-echo check against lb-dicom's SCP; DCMTK peers are covered in test-harness. */
class DicomEchoCheckTest {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ProbeTransport transport = new ProbeTransport(group, NioSocketChannel.class);

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private CheckResult probe(DicomEchoProbe p, InetSocketAddress at) {
        return new DicomEchoCheck(p, transport).probe(at, Duration.ofSeconds(2)).join();
    }

    @Test
    void successOnlyWhenTheEchoSucceedsAndFailuresSayWhy() throws Exception {
        ScpConfig cfg = ScpConfig.of(AeTitle.of("ARCHIVE")).withRequireCalledAe(true)
                .withAllowedCallingAes(Set.of(AeTitle.of("DICOMLB")));
        try (SimulatedScp scp = SimulatedScp.start(cfg, new InetSocketAddress("127.0.0.31", 0))) {
            InetSocketAddress at = scp.localAddress();
            DicomEchoProbe good = new DicomEchoProbe(AeTitle.of("DICOMLB"), Optional.of(AeTitle.of("ARCHIVE")));
            CheckResult ok = probe(good, at);
            assertThat(ok.outcome()).isEqualTo(CheckOutcome.SUCCESS);
            assertThat(ok.detail()).startsWith("C-ECHO ok in ");

            CheckResult wrongCalled = probe(new DicomEchoProbe(AeTitle.of("DICOMLB"), Optional.empty()), at);
            assertThat(wrongCalled.detail()).isEqualTo(
                    "association rejected permanent by service-user: called-ae-title-not-recognized");
            CheckResult wrongCalling = probe(new DicomEchoProbe(AeTitle.of("INTRUDER"), Optional.of(AeTitle.of("ARCHIVE"))), at);
            assertThat(wrongCalling.outcome()).isEqualTo(CheckOutcome.FAILURE);
            assertThat(wrongCalling.detail()).contains("calling-ae-title-not-recognized");
        }
    }

    @Test
    void refusedConnectAndSilentPeerAreFailures() throws Exception {
        // Below the ephemeral range: once closed, no outgoing connection can take the port (and
        // connect to itself) before the refused probe.
        int port = org.dicomlb.testkit.Ports.free("127.0.0.31");
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.31"))) {
            // Accepts the TCP connection but never answers the A-ASSOCIATE-RQ.
            CheckResult silent = new DicomEchoCheck(new DicomEchoProbe(AeTitle.of("DICOMLB"), Optional.empty()), transport)
                    .probe(new InetSocketAddress("127.0.0.31", port), Duration.ofMillis(400)).join();
            assertThat(silent.outcome()).isEqualTo(CheckOutcome.TIMEOUT);
            assertThat(silent.detail()).isEqualTo("timeout after 400ms (waiting for A-ASSOCIATE-AC)");
        }
        CheckResult refused = probe(new DicomEchoProbe(AeTitle.of("DICOMLB"), Optional.empty()),
                new InetSocketAddress("127.0.0.31", port));
        assertThat(refused.outcome()).isEqualTo(CheckOutcome.FAILURE);
        assertThat(refused.detail()).startsWith("connect ").contains("refused");
    }
}
