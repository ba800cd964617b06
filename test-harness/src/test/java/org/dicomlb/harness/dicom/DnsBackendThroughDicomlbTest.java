package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.dnsproxy.Resolution;
import org.dicomlb.dnsproxy.RoundResult;
import org.dicomlb.dnsproxy.testing.Gdnsd;
import org.dicomlb.dnsproxy.testing.TestDnsServer;
import org.dicomlb.engine.EngineStatus;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The legacy modality of issue 14, on real software: it knows one IP (dicomlb's dicom listener),
 * and dicomlb's pool has a {@code dns} backend for {@code dicom.example.org}, re-resolved every
 * second against DNS servers the test controls (dnsjava-based {@link TestDnsServer}s, and once
 * gdnsd). The answer moves from 127.0.1.1 (site A) to 127.0.2.1 (site B).
 *
 * <p>Addresses: dicomlb listens on 127.0.0.1; the DNS servers listen on 127.0.0.1; site A is a
 * simulated SCP on 127.0.1.1:P, site B one on 127.0.2.1:P (one port P for both, as a dns
 * backend has one port). DCMTK's storescp cannot bind one address, so where it is the archive
 * it listens on P on every address and both answers reach it.
 */
class DnsBackendThroughDicomlbTest {
    private static final String NAME = "dicom.example.org";
    private static final String ID = "legacy/via-gslb";
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    private final int port = Ports.free("127.0.1.1");
    private final List<AutoCloseable> closing = new ArrayList<>();
    private DicomlbUnderTest lb;
    private final List<Resolution> resolutions = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        if (lb != null) {
            lb.close();
        }
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private SimulatedScp site(String ae, String ip) {
        SimulatedScp s = SimulatedScp.start(ScpConfig.of(AeTitle.of(ae)), new InetSocketAddress(InetAddress.ofLiteral(ip), port));
        closing.add(s);
        return s;
    }

    private TestDnsServer dnsServer() throws Exception {
        TestDnsServer s = TestDnsServer.start("127.0.0.1");
        closing.add(s);
        return s;
    }

    /** dicomlb with pool legacy: one dns backend asking {@code resolvers} in order, plus {@code extra} keys. */
    private void startDicomlb(String extra, String... resolvers) throws Exception {
        String backend = "{ name: via-gslb, dns: %s, port: %d, resolvers: [%s], resolve-interval: 1s, resolve-timeout: 300ms%s }"
                .formatted(NAME, port, String.join(", ", resolvers), extra.isEmpty() ? "" : ", " + extra);
        lb = DicomlbUnderTest.start(p -> DicomlbUnderTest.config(p, """
                pool: legacy
                timeouts: { connect: 1s, associate: 10s }""", """
                - name: legacy
                  balance: first
                  health-check: { type: dicom-echo, interval: 1s, fast-interval: 300ms, timeout: 500ms, rise: 1, fall: 2 }
                  backends:
                    - %s""".formatted(backend)));
        lb.dns().subscribe(r -> {
            if (r.id().equals(ID)) {
                resolutions.add(r);
            }
        });
    }

    /** True when the pool's published snapshot has exactly this address: the next association goes there. */
    private boolean at(String ip) {
        return lb.poolAddresses("legacy").equals(List.of(ip + ":" + port));
    }

    private static String at(TestDnsServer s) {
        return "127.0.0.1:" + s.address().getPort();
    }

    private Tools.Result echoscu() {
        return Tools.run(TOOL_TIMEOUT, work.resolve("tools"), List.of(Dcmtk.echoscu().toString(), "-v", "-aet", "MODALITY1",
                "-aec", "ARCHIVE", "127.0.0.1", lb.portText()));
    }

    private EngineStatus.BackendStatus status() {
        return lb.backendStatus("legacy", "via-gslb");
    }

    private void until(String what, BooleanSupplier condition) {
        Eventually.until(condition, WAIT, () -> what + "; status " + status() + "; resolution " + lb.resolution(ID));
    }

    /** The access-log line of the association {@code echoscu} just made (the newest line). */
    private String lastAccessLine(int before) {
        List<String> lines = lb.accessLines(before + 1);
        return lines.getLast();
    }

    /**
     * Changes the answer with {@code change}, then waits until dicomlb's backend is at {@code ip};
     * asserts the round that saw the new answer began within one interval (with jitter) of the
     * change, and returns how long dicomlb took to follow, for the report.
     */
    private Duration follow(String ip, ThrowingRunnable change) throws Exception {
        Instant changed = Instant.now();
        change.run();
        until("backend at " + ip, () -> at(ip));
        Duration followed = Duration.between(changed, Instant.now());
        Predicate<Resolution> withIp = r -> r.addresses().stream().anyMatch(a -> a.getAddress().getHostAddress().equals(ip));
        // This test's subscriber hears of an answer after dicomlb's pools do (one serial executor,
        // subscribers in the order they came), so the pool can be at ip a moment before the list has it.
        until("the answer with " + ip + " heard by the test", () -> resolutions.stream().anyMatch(withIp));
        Resolution moved = resolutions.stream().filter(withIp).findFirst().orElseThrow();
        Duration answered = Duration.between(changed, moved.answeredAt().orElseThrow());
        // The next round starts at most interval + 10 % after the last; its question takes far less
        // than resolve-timeout on loopback. The rest is slack for a loaded machine's timers.
        assertThat(answered).as("the first round after the change has the new answer")
                .isLessThan(INTERVAL.multipliedBy(11).dividedBy(10).plus(TIMEOUT).plusMillis(700));
        System.out.printf("dns backend followed %s -> %s: answered after %d ms, dicomlb following after %d ms%n", NAME, ip,
                answered.toMillis(), followed.toMillis());
        return followed;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void newAssociationsFollowTheAnswerAndAnEstablishedOneKeepsFlowing() throws Exception {
        site("SITE_A", "127.0.1.1");
        site("SITE_B", "127.0.2.1");
        TestDnsServer dns = dnsServer().answer(NAME, "127.0.1.1");
        startDicomlb("", at(dns));
        until("resolved", () -> at("127.0.1.1"));
        assertThat(status().dns()).isEqualTo(NAME + ":" + port);
        assertThat(status().addressSource()).isEqualTo(at(dns));
        assertThat(status().addressAt()).isNotNull();

        int lines = lb.accessLines(0).size();
        Tools.Result first = echoscu();
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(lastAccessLine(lines)).contains(" backend=via-gslb ", " server=127.0.1.1:" + port + " ", " result=accepted ");

        try (HeldAssociation held = HeldAssociation.open(lb.port, "ARCHIVE", "MODALITY2")) {
            assertThat(held.echo()).isZero();

            follow("127.0.2.1", () -> dns.answer(NAME, "127.0.2.1"));

            lines = lb.accessLines(0).size();
            Tools.Result next = echoscu();
            assertThat(next.exitCode()).as(next.toString()).isZero();
            assertThat(lastAccessLine(lines)).contains(" server=127.0.2.1:" + port + " ", " result=accepted ");

            // The modality's association to the old site keeps flowing to the end of its study.
            assertThat(held.echo()).isZero();
            assertThat(held.echo()).isZero();
            held.release();
        }
        assertThat(lb.accessLines(3)).filteredOn(l -> l.contains("calling_ae=MODALITY2")).singleElement().asString()
                .contains(" server=127.0.1.1:" + port + " ", " assoc_end=released ");
    }

    @Test
    void withOnChangeShutdownTheAssociationToTheOldAddressIsClosed() throws Exception {
        site("SITE_A", "127.0.1.1");
        site("SITE_B", "127.0.2.1");
        TestDnsServer dns = dnsServer().answer(NAME, "127.0.1.1");
        startDicomlb("on-change: shutdown", at(dns));
        until("resolved", () -> at("127.0.1.1"));
        try (HeldAssociation held = HeldAssociation.open(lb.port, "ARCHIVE", "MODALITY2")) {
            assertThat(held.echo()).isZero();
            follow("127.0.2.1", () -> dns.answer(NAME, "127.0.2.1"));
            assertThat(held.endedByPeer()).as("dicomlb closed the association to the address that left").isTrue();
        }
        Eventually.until(() -> lb.accessLines(1).stream().anyMatch(l -> l.contains("calling_ae=MODALITY2")),
                WAIT, () -> lb.accessLines(0));
        assertThat(lb.accessLines(1)).filteredOn(l -> l.contains("calling_ae=MODALITY2")).singleElement().asString()
                .contains(" server=127.0.1.1:" + port + " ", " end=address_changed");
        Tools.Result next = echoscu();
        assertThat(next.exitCode()).as(next.toString()).isZero();
    }

    @Test
    void theSecondResolverAnswersWhenTheFirstStopsAndWhenAllStopTheModalityIsRejectedTransientAfterResolveFall()
            throws Exception {
        site("SITE_A", "127.0.1.1");
        TestDnsServer first = dnsServer().answer(NAME, "127.0.1.1");
        TestDnsServer second = dnsServer().answer(NAME, "127.0.1.1");
        startDicomlb("resolve-fall: 3", at(first), at(second));
        until("resolved", () -> at("127.0.1.1"));

        // First resolver stopped: the second answers, and nothing fails on the way.
        first.stop();
        until("answered by the second resolver", () -> at(second).equals(status().addressSource()));
        for (int i = 0; i < 4; i++) {
            Tools.Result r = echoscu();
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }
        assertThat(resolutions).noneMatch(r -> r.result() != RoundResult.PENDING && !r.up());

        // Every resolver stopped: the last answer is kept for resolve-fall rounds, then the backend is down.
        int before = resolutions.size();
        second.stop();
        until("one failed round", () -> lb.resolution(ID).orElseThrow().consecutiveFailures() >= 1);
        Tools.Result during = echoscu();
        if (lb.resolution(ID).orElseThrow().consecutiveFailures() < 3) {
            assertThat(during.exitCode()).as("served while the last answer is kept: " + during).isZero();
        }
        until("down", () -> lb.poolAddresses("legacy").isEmpty());
        until("the change heard by the test", () -> resolutions.size() > before);  // after the pools (see follow)
        List<Resolution> after = resolutions.subList(before, resolutions.size());
        assertThat(after).as("no change until resolve-fall rounds failed").first()
                .satisfies(r -> {
                    assertThat(r.up()).isFalse();
                    assertThat(r.result()).isEqualTo(RoundResult.FAILED);
                    assertThat(r.consecutiveFailures()).isEqualTo(3);
                });
        assertThat(status().addressProblem()).contains("no resolver answered", at(first), at(second));

        Tools.Result rejected = echoscu();
        assertThat(rejected.exitCode()).as(rejected.toString()).isNotZero();
        assertThat(rejected.output()).contains("Association Rejected", "Rejected Transient", "Temporary Congestion");

        first.restart();
        until("up again", () -> at("127.0.1.1"));
        Tools.Result back = echoscu();
        assertThat(back.exitCode()).as(back.toString()).isZero();
    }

    @Test
    void storescuThroughADnsBackendLandsEveryInstanceByteIdentical() throws Exception {
        Path source = work.resolve("source");
        List<TestInstances.Instance> instances = new ArrayList<>();
        int[] sides = {16, 64, 256, 512, 32, 128, 1024, 16, 64, 256};
        for (int i = 0; i < 20; i++) {
            instances.add(TestInstances.secondaryCapture(source, 2000 + i, sides[i % sides.length], sides[i % sides.length], false));
        }
        Path archive = Files.createDirectories(work.resolve("archive"));
        // +B: storescp writes each data set exactly as it came off the wire.
        StoreScp scp = StoreScp.startOn(StoreScp.Options.of("ARCHIVE", archive).forking().with("+B"), port);
        closing.add(scp);
        TestDnsServer dns = dnsServer().answer(NAME, "127.0.1.1");
        startDicomlb("", at(dns));
        until("resolved", () -> at("127.0.1.1"));

        List<Tools.Result> runs = new ArrayList<>();
        runs.add(storescu(instances.subList(0, 10)));
        // The archive's address changes between two studies; storescp listens on both.
        follow("127.0.2.1", () -> dns.answer(NAME, "127.0.2.1"));
        runs.add(storescu(instances.subList(10, 20)));

        for (Tools.Result r : runs) {
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.output()).as(r.toString()).doesNotContain("Association Rejected", "Association Aborted", "E: ");
        }
        List<String> lines = lb.accessLines(2);
        assertThat(lines.get(0)).contains(" server=127.0.1.1:" + port + " ", " assoc_end=released ");
        assertThat(lines.get(1)).contains(" server=127.0.2.1:" + port + " ", " assoc_end=released ");

        Map<String, Path> received = new HashMap<>();
        try (var files = Files.list(archive)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(received.put(TestInstances.part10(f).sopInstanceUid(), f)).as("stored twice: " + f).isNull();
            }
        }
        assertThat(received).hasSize(instances.size());
        for (TestInstances.Instance sent : instances) {
            TestInstances.Part10 in = TestInstances.part10(received.get(sent.sopInstanceUid()));
            assertThat(in.transferSyntax()).isEqualTo(Uids.EXPLICIT_VR_LITTLE_ENDIAN);
            assertThat(in.dataSet()).as("data set of " + sent.sopInstanceUid())
                    .isEqualTo(TestInstances.part10(sent.file()).dataSet());
        }
    }

    private Tools.Result storescu(List<TestInstances.Instance> batch) {
        List<String> cmd = new ArrayList<>(List.of(Dcmtk.storescu().toString(), "-v", "-aet", "MODALITY1", "-aec", "ARCHIVE",
                "127.0.0.1", lb.portText()));
        batch.forEach(i -> cmd.add(i.file().toString()));
        return Tools.run(Duration.ofSeconds(60), work.resolve("tools"), cmd);
    }

    @Test
    void followsGdnsdWhenItsZoneChanges() throws Exception {
        site("SITE_A", "127.0.1.1");
        site("SITE_B", "127.0.2.1");
        Gdnsd gdnsd = Gdnsd.start(work.resolve("gdnsd"), "127.0.1.1");
        closing.add(gdnsd);
        startDicomlb("", gdnsd.hostPort());
        Eventually.until(() -> at("127.0.1.1") || !gdnsd.alive(), WAIT,
                () -> "resolved by gdnsd; " + status() + "; gdnsd log: " + gdnsd.log());
        assertThat(gdnsd.alive()).as(gdnsd.log()).isTrue();
        Tools.Result first = echoscu();
        assertThat(first.exitCode()).as(first.toString()).isZero();

        follow("127.0.2.1", () -> gdnsd.answer("127.0.2.1"));
        Tools.Result next = echoscu();
        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertThat(lb.accessLines(2)).extracting(l -> l.contains(" server=127.0.2.1:" + port + " "))
                .as("site A first, then site B").containsExactly(false, true);
        assertThat(status().addressSource()).isEqualTo(gdnsd.hostPort());
    }
}
