package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;

/** {@code dicomlb echo} against our simulated SCP: outcomes, wording and exit codes. */
class EchoCommandTest {
    private static SimulatedScp strictScp() {
        return SimulatedScp.start(ScpConfig.of(AeTitle.of("ARCHIVE")).withRequireCalledAe(true),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static String target(String ae, SimulatedScp scp) {
        return ae + "@127.0.0.1:" + scp.localAddress().getPort();
    }

    @Test
    void successPrintsTheRoundTripAndExitsZero() {
        try (SimulatedScp scp = strictScp()) {
            Cli r = Cli.run("echo", "--calling-ae", "ENGINEER", target("ARCHIVE", scp));
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).matches("success: ARCHIVE@127\\.0\\.0\\.1:\\d+ answered the C-ECHO in \\d+ ms\\R");
            assertThat(scp.stats().echoes()).isOne();
        }
    }

    @Test
    void aRejectIsDecodedAndExitsOne() {
        try (SimulatedScp scp = strictScp()) {
            Cli r = Cli.run("echo", target("SOMEONE_ELSE", scp));
            assertThat(r.exit()).isEqualTo(ExitCodes.FAILURE);
            assertThat(r.out()).contains("rejected: SOMEONE_ELSE@127.0.0.1:", "sent A-ASSOCIATE-RJ result 1 (permanent),"
                    + " source 1 (service-user), reason 7 (called-ae-title-not-recognized)");
        }
    }

    @Test
    void aStoppedPortIsAConnectFailure() throws Exception {
        int port = Ports.free("127.0.0.1"); // nothing listens there
        Cli r = Cli.run("echo", "--timeout", "2s", "ARCHIVE@127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.out()).startsWith("connect failed: ARCHIVE@127.0.0.1:" + port + ": ").contains("refused");
    }

    @Test
    void badArgumentsExitTwoAndSayWhatIsWrong() {
        assertThat(Cli.run("echo", "BAD\\AE@127.0.0.1:104")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err()).contains("called AE title 'BAD\\AE' is not a valid AE title: backslash is not allowed");
        });
        assertThat(Cli.run("echo", "--calling-ae", "SEVENTEEN_CHARS_X", "A@127.0.0.1:104").err())
                .contains("--calling-ae 'SEVENTEEN_CHARS_X' is not a valid AE title: longer than 16 characters");
        assertThat(Cli.run("echo", "127.0.0.1:104").err()).contains("'127.0.0.1:104' is not AET@HOST:PORT");
        assertThat(Cli.run("echo", "A@127.0.0.1").err()).contains("'127.0.0.1' has no :PORT");
        assertThat(Cli.run("echo", "A@127.0.0.1:99999").err()).contains("port 99999 is out of range 1..65535");
        assertThat(Cli.run("echo", "--timeout", "5", "A@127.0.0.1:104").exit()).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
