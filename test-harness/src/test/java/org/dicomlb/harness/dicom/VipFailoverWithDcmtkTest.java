package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.Main;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.testkit.Ports;
import org.dicomlb.vip.testing.Lab;
import org.dicomlb.vip.testing.VipSampler;
import org.dicomlb.vip.testing.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise end to end: two real {@code dicomlb run} processes, each supervising its
 * keepalived for the VIP, in front of a DCMTK archive; a modality (storescu) sends a bounded
 * stream of associations to the VIP; dicomlb on the master is SIGKILLed mid-stream. The other
 * appliance holds the VIP within 3 × advert + skew, the modality's next associations succeed, and
 * every instance that got a success status is in the archive.
 *
 * <p>Addresses (TEST-NET-1, inside this test's namespaces only, joined by a bridge in {@code -br}):
 * <ul>
 *   <li>{@code -lb1}: eth0 192.0.2.1/24, dicomlb (VIP priority 150), admin on its own 127.0.0.1</li>
 *   <li>{@code -lb2}: eth0 192.0.2.2/24, dicomlb (VIP priority 100), admin on its own 127.0.0.1</li>
 *   <li>{@code -be}:  eth0 192.0.2.50/24, storescp (the archive)</li>
 *   <li>{@code -cl}:  eth0 192.0.2.100/24, storescu (the modality)</li>
 *   <li>the VIP 192.0.2.10/24 on whichever appliance is master; both dicom listeners bind it</li>
 * </ul>
 */
class VipFailoverWithDcmtkTest {
    private static final String VIP = "192.0.2.10";
    private static final int ASSOCIATIONS = 60;
    private static final int KILL_AFTER = 20;
    /** RFC 5798 for the priority-100 peer at 100 ms adverts: 3 × 100 ms + 156/256 × 100 ms. */
    private static final double MASTER_DOWN_MS = 3 * 100 + (256 - 100) * 100 / 256.0;
    private static final Duration SETTLE = Duration.ofSeconds(60);

    /** Kept when the test fails: both appliances' logs, access logs and keepalived files are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    /** One storescu association: which instance, when it started, and how it ended. */
    record Attempt(int index, String sopInstanceUid, long startedNanos, boolean success, String output) {
    }

    private String yaml(int priority, int dicomPort, int adminPort, int archivePort) {
        return """
                admin: { listen: 127.0.0.1:%d }
                listeners:
                  - name: dicom
                    bind: %s:%d
                    mode: dicom
                    pool: archive
                    timeouts: { connect: 2s, associate: 10s }
                pools:
                  - name: archive
                    health-check: { type: tcp, interval: 1s }
                    backends:
                      - { name: arch, address: 192.0.2.50:%d }
                vip:
                  interface: eth0
                  addresses: [%s/24]
                  virtual-router-id: 51
                  priority: %d
                  track: { pools: [archive], listeners: [dicom] }
                """.formatted(adminPort, VIP, dicomPort, archivePort, VIP, priority);
    }

    private Process dicomlb(Lab lab, String role, Path config) throws IOException {
        Path dir = Files.createDirectories(work.resolve(role));
        String java = ProcessHandle.current().info().command().orElseThrow();
        return lab.spawn(role, List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx192m", "-XX:+UseSerialGC",
                // The appliance's own logging (the test classpath's logback-test.xml would quiet it).
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "-c", config.toString(),
                "--runtime-dir", dir.resolve("run").toString(), "--access-log", dir.resolve("access.log").toString(),
                "--shutdown-grace", "2s"), dir.resolve("dicomlb.log"));
    }

    /** A dicomlb command (status, vip status ...) run inside {@code role}'s namespace against its admin listener. */
    private String cli(Lab lab, String role, int adminPort, String... args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--admin", "127.0.0.1:" + adminPort));
        return lab.exec(role, cmd.toArray(String[]::new));
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void sigkillOfTheMasterMovesTheVipAndNoStoredInstanceIsLost() throws Exception {
        List<TestInstances.Instance> instances = new ArrayList<>();
        for (int i = 0; i < ASSOCIATIONS; i++) {
            instances.add(TestInstances.secondaryCapture(work.resolve("source"), 5000 + i, 64, 64, false));
        }
        int dicomPort = Ports.free();
        int adminPort = Ports.free();
        int archivePort = Ports.free();
        Path archiveDir = Files.createDirectories(work.resolve("archive"));
        List<String> measured = new ArrayList<>();
        try (Lab lab = new Lab()) {
            lab.attach("lb1", "192.0.2.1/24");
            lab.attach("lb2", "192.0.2.2/24");
            lab.attach("be", "192.0.2.50/24");
            lab.attach("cl", "192.0.2.100/24");
            try (VipSampler sampler = new VipSampler(lab, work, VIP, List.of("lb1", "lb2"))) {
                lab.spawn("be", List.of(Dcmtk.storescp().toString(), "--fork", "+B", "-aet", "ARCHIVE", "-od",
                        archiveDir.toString(), Integer.toString(archivePort)), work.resolve("storescp.log"));
                Path c1 = Files.writeString(work.resolve("lb1.yaml"), yaml(150, dicomPort, adminPort, archivePort));
                Path c2 = Files.writeString(work.resolve("lb2.yaml"), yaml(100, dicomPort, adminPort, archivePort));
                long begin = System.nanoTime();
                Process lb1 = dicomlb(lab, "lb1", c1);
                Wait.until(SETTLE, "lb1 to hold the VIP", () -> sampler.holdsNow("lb1"));
                dicomlb(lab, "lb2", c2);
                Wait.until(SETTLE, () -> "lb2 to run as backup", () -> {
                    try {
                        return cli(lab, "lb2", adminPort, "vip", "status").contains(": BACKUP since");
                    } catch (IllegalStateException e) {
                        return false;
                    }
                });
                assertThat(sampler.holdsNow("lb1")).isTrue();

                // The modality: one association per instance, one after the other, each bounded in time.
                List<Attempt> attempts = new CopyOnWriteArrayList<>();
                Thread modality = Thread.ofPlatform().name("modality").start(() -> {
                    for (int i = 0; i < ASSOCIATIONS; i++) {
                        TestInstances.Instance inst = instances.get(i);
                        long started = System.nanoTime();
                        String out;
                        boolean ok;
                        try {
                            out = lab.exec("cl", "timeout", "30", Dcmtk.storescu().toString(), "-v", "-to", "5", "-ta", "5",
                                    "-td", "10", "-aet", "MODALITY1", "-aec", "ARCHIVE", VIP, Integer.toString(dicomPort),
                                    inst.file().toString());
                            ok = out.contains("Received Store Response (Success)");
                        } catch (IllegalStateException e) {
                            out = e.getMessage();
                            ok = false;
                        }
                        attempts.add(new Attempt(i, inst.sopInstanceUid(), started, ok, out));
                    }
                });
                Wait.until(SETTLE, () -> KILL_AFTER + " associations through lb1; " + attempts.size() + " so far",
                        () -> attempts.size() >= KILL_AFTER);

                long t0 = System.nanoTime();
                lb1.destroyForcibly();
                Wait.until(SETTLE, "lb2 to hold the VIP", () -> sampler.firstHolding("lb2", t0) >= 0);
                long took = sampler.firstHolding("lb2", t0);
                double tookMs = (took - t0) / 1e6;
                measured.add("SIGKILL of dicomlb on lb1 -> lb2 holds the VIP after %.0f ms (3 x advert + skew = %.0f ms)"
                        .formatted(tookMs, MASTER_DOWN_MS));
                assertThat(tookMs).isLessThan(MASTER_DOWN_MS + 1000);
                modality.join(TimeUnit.MINUTES.toMillis(4));
                assertThat(modality.isAlive()).isFalse();
                assertThat(lb1.waitFor(10, TimeUnit.SECONDS)).isTrue();
                // lb1's keepalived went with its dicomlb: only the sampler's anchor is left in the namespace.
                Wait.until(SETTLE, () -> "lb1's keepalived to exit; pids " + lab.pids("lb1"), () -> lab.pids("lb1").size() == 1);

                // The next associations succeed: every one that started once lb2 held the VIP.
                List<Attempt> all = List.copyOf(attempts);
                assertThat(all).hasSize(ASSOCIATIONS);
                List<Attempt> after = all.stream().filter(a -> a.startedNanos() >= took).toList();
                assertThat(after).isNotEmpty().allSatisfy(a -> assertThat(a.success()).as(a.output()).isTrue());
                List<Attempt> failed = all.stream().filter(a -> !a.success()).toList();
                assertThat(failed).as("associations that failed (in flight at the kill)").hasSizeLessThanOrEqualTo(2);
                measured.add("associations: %d, succeeded %d, failed %d (in flight when lb1 died: %s)".formatted(all.size(),
                        all.size() - failed.size(), failed.size(), failed.stream().map(Attempt::index).toList()));

                // No instance that got a success status is lost.
                Set<String> stored = new HashSet<>();
                try (var files = Files.list(archiveDir)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        stored.add(TestInstances.part10(f).sopInstanceUid());
                    }
                }
                for (Attempt a : all) {
                    if (a.success()) {
                        assertThat(stored).as("instance " + a.index() + " got a success status").contains(a.sopInstanceUid());
                    }
                }

                // What the operator sees on lb2.
                String vipStatus = cli(lab, "lb2", adminPort, "vip", "status");
                assertThat(vipStatus).contains("VIP 192.0.2.10/24 on eth0 (VRID 51): MASTER since", "serving: yes");
                assertThat(cli(lab, "lb2", adminPort, "status")).contains("VIP 192.0.2.10/24 on eth0", "MASTER");
                String metrics = lab.exec("lb2", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + adminPort
                        + "; printf 'GET /metrics HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3; cat <&3");
                assertThat(metrics).contains("dicomlb_vip_state{state=\"master\"} 1.0", "dicomlb_vip_serving 1.0");
                measured.add("lb2's vip status after the takeover:\n    " + vipStatus.strip().replace("\n", "\n    "));

                long both = sampler.overlaps(begin).size();
                measured.add("samples every 10 ms: %d, with the VIP on both appliances: %d".formatted(
                        sampler.samples().stream().filter(s -> s.nanos() >= begin).count(), both));
                assertThat(both).isZero();
            }
        } finally {
            System.out.println("VIP failover with DCMTK through real dicomlb processes:");
            measured.forEach(m -> System.out.println("  " + m));
        }
    }
}
