package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.dicomlb.cli.DicomlbCommand;
import org.dicomlb.harness.peers.FreePorts;
import org.dicomlb.harness.peers.StoreScp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dicomlb echo} against DCMTK's storescp, a stopped port, a refusing peer and dicomlb itself. */
class EchoCommandInteropTest {
    @TempDir
    Path work;

    private record Run(int exit, String out, String err) {
    }

    private static Run echo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "echo";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = DicomlbCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void storescpAnswers() {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", work))) {
            Run r = echo("STORESCP@127.0.0.1:" + scp.port());
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).startsWith("success: STORESCP@127.0.0.1:" + scp.port() + " answered the C-ECHO in ");
        }
    }

    @Test
    void aRefusingStorescpIsReportedWithItsCodes() {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", work).with("--refuse"))) {
            Run r = echo("--calling-ae", "ENGINEER", "STORESCP@127.0.0.1:" + scp.port());
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).startsWith("rejected: ").contains("result 1 (permanent), source 1 (service-user)");
        }
    }

    @Test
    void aStoppedPortIsAConnectFailure() throws Exception {
        int port = FreePorts.pick(); // nothing listens there
        Run r = echo("ARCHIVE@127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).startsWith("connect failed: ");
    }

    @Test
    void throughDicomlbWithNothingBehindItTheRejectIsTransientCongestion() throws Exception {
        int closed = FreePorts.pick(); // nothing listens there
        try (DicomlbUnderTest lb = DicomlbUnderTest.start(port -> DicomlbUnderTest.config(port, "pool: archive",
                "- name: archive\n  backends: [{ name: down, address: 127.0.0.1:" + closed + " }]"))) {
            Run r = echo("ARCHIVE@127.0.0.1:" + lb.port);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).contains("rejected: ", "result 2 (transient), source 3 (service-provider-presentation),"
                    + " reason 1 (temporary-congestion)");
        }
    }
}
