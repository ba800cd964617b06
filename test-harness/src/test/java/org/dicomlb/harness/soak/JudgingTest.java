package org.dicomlb.harness.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dicomlb.cli.DicomlbCommand;
import org.dicomlb.harness.peers.StorescuOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak's judges on what a defective dicomlb would show: a descriptor or memory leak, a Netty
 * leak report or a stack trace in its log, an instance storescu saw stored but no backend has.
 */
class JudgingTest {
    @TempDir
    Path dir;

    private static final Duration RUN = Duration.ofSeconds(100);
    private static final Duration WARM_UP = Duration.ofSeconds(20);

    /** One sample a second; {@code fds(t)} descriptors, with idle floods every 10 s adding 400 for 4 s. */
    private static List<Sample> samples(java.util.function.IntUnaryOperator fds, java.util.function.IntUnaryOperator rssKib) {
        List<Sample> s = new ArrayList<>();
        for (int t = 0; t <= 100; t++) {
            boolean flood = t % 10 < 4;
            s.add(new Sample(t, rssKib.applyAsInt(t), fds.applyAsInt(t) + (flood ? 400 : 0), flood));
        }
        return s;
    }

    private static ResourceTrend fds(List<Sample> s) {
        return ResourceTrend.judge("fds", "fds", s, Sample::descriptors, WARM_UP, RUN, Soak.FD_SLACK, Soak.FD_FRACTION);
    }

    private static ResourceTrend rss(List<Sample> s) {
        return ResourceTrend.judge("rss", "KiB", s, Sample::rssKib, WARM_UP, RUN, Soak.RSS_SLACK_KIB, Soak.RSS_FRACTION);
    }

    @Test
    void floodsAndNoiseAreNoTrendButALeakOfOneDescriptorPerSecondIs() {
        ResourceTrend steady = fds(samples(t -> 80 + (t * 7919) % 20, t -> 130_000));
        assertThat(steady.passed()).as(steady.detail()).isTrue();
        assertThat(steady.max()).as("floods count in max, not in the windows").isGreaterThan(480);

        ResourceTrend leak = fds(samples(t -> 80 + t, t -> 130_000));
        assertThat(leak.passed()).as(leak.detail()).isFalse();
        assertThat(leak.detail()).contains("allowed +32");
    }

    @Test
    void aWarmUpThatLevelsOffPassesButSteadyGrowthFails() {
        // 100 MiB of JIT and heap growth in the first 20 s, a few MiB after.
        ResourceTrend warm = rss(samples(t -> 80, t -> t < 20 ? 30_000 + t * 5_000 : 130_000 + t * 30));
        assertThat(warm.passed()).as(warm.detail()).isTrue();
        // 2 MiB a second after the warm-up: a leak.
        ResourceTrend leak = rss(samples(t -> 80, t -> 130_000 + t * 2_048));
        assertThat(leak.passed()).as(leak.detail()).isFalse();
    }

    @Test
    void aRunWhoseSamplesAreAllInFloodsCannotBeJudged() {
        List<Sample> s = new ArrayList<>();
        for (int t = 0; t <= 100; t++) {
            s.add(new Sample(t, 1000, 80, true));
        }
        assertThat(fds(s).passed()).isFalse();
        assertThat(fds(s).detail()).contains("too few readings");
    }

    @Test
    void theLogCheckAllowsRejectedReloadsButNotLeaksStackTracesOrOtherErrors() throws Exception {
        Path log = dir.resolve("dicomlb.log");
        Files.writeString(log, """
                2026-12-04T21:28:30.448Z INFO  o.d.e.l.Listeners - listener 'soak-dicom' (dicom) accepting on 127.0.0.1:23235
                2026-12-04T21:28:36.948Z WARN  o.d.h.i.CheckerCore - health archive/scp-a: UP -> DOWN: 3 consecutive failures
                2026-12-04T21:28:49.387Z ERROR o.d.c.Appliance - reload rejected: /x/dicomlb.yaml:29:26: YAML syntax
                2026-12-04T21:28:49.413Z ERROR o.d.c.Appliance - reload rejected with 1 error(s); the running configuration is unchanged
                """);
        LogFindings clean = LogFindings.scan(log);
        assertThat(clean.unexpectedTotal()).isZero();
        assertThat(clean.rejectedReloadLines()).isEqualTo(2);
        assertThat(clean.warningsByLogger()).isEqualTo(Map.of("o.d.h.i.CheckerCore", 1L));

        Files.writeString(log, """
                2026-12-04T21:29:00.000Z ERROR i.n.u.ResourceLeakDetector - LEAK: ByteBuf.release() was not called before it's garbage-collected.
                2026-12-04T21:29:01.000Z WARN  o.d.e.r.RelayHandler - relay failed
                java.io.IOException: Connection reset by peer
                	at java.base/sun.nio.ch.SocketDispatcher.read0(Native Method)
                2026-12-04T21:29:02.000Z ERROR o.d.c.a.AdminServer - reload failed
                """, java.nio.charset.StandardCharsets.UTF_8);
        LogFindings bad = LogFindings.scan(log);
        assertThat(bad.unexpectedTotal()).isEqualTo(4);
        assertThat(bad.unexpected()).anySatisfy(l -> assertThat(l).startsWith("a Netty leak report"))
                .anySatisfy(l -> assertThat(l).contains("Connection reset by peer"))
                .anySatisfy(l -> assertThat(l).startsWith("an ERROR").contains("reload failed"));
    }

    @Test
    void theSoaksConfigurationValidatesAndEachBrokenVariantIsRefusedWithItsLocation() throws Exception {
        SoakConfig config = SoakConfig.initial(SoakLayout.pick()).withWeight("scp-a", 3);
        Path file = dir.resolve("dicomlb.yaml");
        Files.writeString(file, config.yaml());
        assertThat(validate(file)).isZero();
        List<String> kinds = new ArrayList<>();
        for (int variant = 0; variant < 4; variant++) {
            SoakConfig.Broken broken = config.broken(variant);
            kinds.add(broken.kind());
            Files.writeString(file, broken.yaml());
            StringWriter err = new StringWriter();
            int exit = DicomlbCommand.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true))
                    .execute("validate", "-c", file.toString());
            assertThat(exit).as(broken.kind() + ": " + err).isEqualTo(2);
            assertThat(err.toString()).as(broken.kind()).contains(file + ":");
        }
        assertThat(kinds).doesNotHaveDuplicates();
    }

    private static int validate(Path file) {
        StringWriter err = new StringWriter();
        int exit = DicomlbCommand.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true))
                .execute("validate", "-c", file.toString());
        assertThat(exit).as(err.toString()).isIn(0, 2);
        return exit;
    }

    @Test
    void storescuOutputTellsWhichInstancesWereStored() {
        String out = """
                I: Requesting Association
                I: Association Accepted (Max Send PDV: 16372)
                I: Sending file: /s/a.dcm
                I: Sending Store Request (MsgID 1, SC)
                I: Received Store Response (Success)
                I: Sending file: /s/b.dcm
                I: Sending Store Request (MsgID 2, SC)
                I: Received Store Response (Warning)
                I: Sending file: /s/c.dcm
                E: Store Failed, file: /s/c.dcm:
                E: 0006:0207 DIMSE No valid Presentation Context ID
                F: Peer aborted Association (or never connected)
                """;
        StorescuOutput o = StorescuOutput.parse(out, Map.of("/s/a.dcm", "1.1", "/s/b.dcm", "1.2", "/s/c.dcm", "1.3"));
        assertThat(o.stored()).containsExactly("1.1");
        assertThat(o.kind()).isEqualTo("aborted");
        assertThat(o.firstError()).startsWith("E: Store Failed");
    }

    @Test
    void aConnectionThatDiesBeforeTheStoreResponseIsALostConnectionNotAStoreStatus() {
        // What storescu printed when the appliance it went through was SIGKILLed mid-association (the drill).
        String out = """
                I: Sending file: /s/a.dcm
                I: Received Store Response (Success)
                I: Sending file: /s/b.dcm
                E: Store Failed, file: /s/b.dcm:
                E: 0006:020d DIMSE Failed to receive message
                E: 0006:020c DIMSE Read PDV failed
                """;
        StorescuOutput o = StorescuOutput.parse(out, Map.of("/s/a.dcm", "1.1", "/s/b.dcm", "1.2"));
        assertThat(o.stored()).containsExactly("1.1");
        assertThat(o.kind()).isEqualTo("connection-lost");
    }

    @Test
    void anInstanceConfirmedButAtNoBackendIsMissingAndFoundOnesAreSweptAway() throws Exception {
        Path a = Files.createDirectories(dir.resolve("scp-a"));
        Path b = Files.createDirectories(dir.resolve("scp-b"));
        Files.writeString(a.resolve("SC.1.2.3.1"), "x");
        Files.writeString(b.resolve("SC.1.2.3.2"), "x");
        Files.writeString(b.resolve("SC.1.2.3.9"), "cut by a fault");
        Delivery d = new Delivery(List.of(a, b));
        d.confirm(List.of("1.2.3.1", "1.2.3.2", "1.2.3.3"));
        d.sweep();
        assertThat(d.found()).isEqualTo(2);
        assertThat(d.missingTotal()).isEqualTo(1);
        assertThat(d.missingExamples()).containsExactly("1.2.3.3");
        assertThat(d.unconfirmedFiles()).isEqualTo(1);
        assertThat(a.resolve("SC.1.2.3.1")).doesNotExist();
    }
}
