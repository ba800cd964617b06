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
 * every instance that got a success status is in the archive. Then the dead appliance comes back
 * as backup and the other one's only backend is drained: its tracked pool cannot serve, and the
 * VIP (with the next association) moves back.
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
    private static final int ASSOCIATIONS = 20;
    private static final int PER_ASSOCIATION = 3;
    /** lb1 dies while this association is sending: after its first instance is stored. */
    private static final int KILLED_DURING = 8;
    /** RFC 5798 for the priority-100 peer at 100 ms adverts: 3 × 100 ms + 156/256 × 100 ms. */
    private static final double MASTER_DOWN_MS = 3 * 100 + (256 - 100) * 100 / 256.0;
    private static final Duration SETTLE = Duration.ofSeconds(60);

    /** Kept when the test fails: both appliances' logs, access logs and keepalived files are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    /**
     * One storescu association: when it started, whether storescu ended well, and which of its
     * instances got a success status (C-STORE-RSP Success), by SOP Instance UID.
     */
    record Attempt(int index, long startedNanos, long endedNanos, boolean ok, Set<String> succeeded, List<String> sent,
                   String output) {
    }

    /** The instances storescu -v reports a success status for: "Sending file: F" ... "Received Store Response (Success)". */
    private static Set<String> succeeded(String output, List<TestInstances.Instance> batch) {
        Set<String> ok = new HashSet<>();
        String current = null;
        for (String line : output.lines().toList()) {
            int at = line.indexOf("Sending file: ");
            if (at >= 0) {
                String file = line.substring(at + "Sending file: ".length()).strip();
                current = batch.stream().filter(i -> i.file().toString().equals(file)).map(TestInstances.Instance::sopInstanceUid)
                        .findFirst().orElse(null);
            } else if (line.contains("Received Store Response (Success)") && current != null) {
                ok.add(current);
                current = null;
            }
        }
        return ok;
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
        // The appliance's operational log at INFO into its log file (the test classpath's logback
        // files would quiet it): every VIP transition and keepalived's own lines.
        Path logback = Files.writeString(work.resolve("node-logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.netty" level="WARN"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        return lab.spawn(role, List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx192m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + logback,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "-c", config.toString(),
                "--runtime-dir", dir.resolve("run").toString(), "--access-log", dir.resolve("access.log").toString(),
                "--shutdown-grace", "2s"), dir.resolve("dicomlb.log"));
    }

    /** A dicomlb command (status, vip status ...) run inside {@code role}'s namespace against its admin listener. */
    /** Open connections of the dicom listener of appliance {@code role}, from its status; -1 when it cannot be asked. */
    private int connectionsOn(Lab lab, String role, int adminPort) {
        try {
            String json = cli(lab, role, adminPort, "status", "--json");
            var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            int n = 0;
            for (var l : root.path("listeners")) {
                n += l.path("connections").asInt();
            }
            return n;
        } catch (IOException | IllegalStateException e) {
            return -1;
        }
    }

    private String cli(Lab lab, String role, int adminPort, String... args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--admin", "127.0.0.1:" + adminPort));
        return lab.exec(role, cmd.toArray(String[]::new));
    }

    /** Whether the archive has a file named for {@code uid} (storescp names files MODALITY.UID), without reading any. */
    private static boolean storedName(Path archiveDir, String uid) {
        try (var files = Files.list(archiveDir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith("." + uid));
        } catch (IOException e) {
            return false;
        }
    }

    /** The SOP Instance UIDs of the files the archive has written (storescp writes a file once it is whole). */
    private static Set<String> storedUids(Path archiveDir) {
        Set<String> uids = new HashSet<>();
        try (var files = Files.list(archiveDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                uids.add(TestInstances.part10(f).sopInstanceUid());
            }
        } catch (IOException | RuntimeException e) {
            // a file still being written: the next poll reads it whole
        }
        return uids;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void sigkillOfTheMasterMovesTheVipAndNoStoredInstanceIsLost() throws Exception {
        // Each association: a small instance, then two of 2 MiB, so that it is still sending after
        // its first instance is stored.
        List<List<TestInstances.Instance>> batches = new ArrayList<>();
        for (int a = 0; a < ASSOCIATIONS; a++) {
            List<TestInstances.Instance> batch = new ArrayList<>();
            for (int k = 0; k < PER_ASSOCIATION; k++) {
                int side = k == 0 ? 64 : 1024;
                batch.add(TestInstances.secondaryCapture(work.resolve("source"), 5000 + a * PER_ASSOCIATION + k, side, side, false));
            }
            batches.add(batch);
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

                // The modality: one association after the other, each bounded in time.
                List<Attempt> attempts = new CopyOnWriteArrayList<>();
                long[] startedAt = new long[ASSOCIATIONS];
                Thread modality = Thread.ofPlatform().name("modality").start(() -> {
                    for (int a = 0; a < ASSOCIATIONS; a++) {
                        List<TestInstances.Instance> batch = batches.get(a);
                        List<String> cmd = new ArrayList<>(List.of("timeout", "60", Dcmtk.storescu().toString(), "-v",
                                "-to", "5", "-ta", "5", "-td", "10", "-aet", "MODALITY1", "-aec", "ARCHIVE", VIP,
                                Integer.toString(dicomPort)));
                        batch.forEach(i -> cmd.add(i.file().toString()));
                        startedAt[a] = System.nanoTime();
                        String out;
                        boolean ok;
                        try {
                            out = lab.exec("cl", cmd.toArray(String[]::new));
                            ok = true;
                        } catch (IllegalStateException e) {
                            out = e.getMessage();
                            ok = false;
                        }
                        attempts.add(new Attempt(a, startedAt[a], System.nanoTime(), ok, succeeded(out, batch),
                                batch.stream().map(TestInstances.Instance::sopInstanceUid).toList(), out));
                    }
                });
                // Kill lb1 while an association is sending through it: its first instance is stored.
                String firstOfKilled = batches.get(KILLED_DURING).getFirst().sopInstanceUid();
                Wait.until(SETTLE, () -> "association " + KILLED_DURING + " to store its first instance; "
                        + attempts.size() + " associations done", () -> storedName(archiveDir, firstOfKilled));

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
                assertThat(after).isNotEmpty().allSatisfy(a -> {
                    assertThat(a.ok()).as(a.output()).isTrue();
                    assertThat(a.succeeded()).as(a.output()).containsExactlyInAnyOrderElementsOf(a.sent());
                });
                List<Attempt> failed = all.stream().filter(a -> !a.ok()).toList();
                assertThat(failed).as("associations that broke (in flight when lb1 died)").hasSizeLessThanOrEqualTo(2);
                // It breaks at once, even while the modality only waits for a response: the dying node's
                // sockets still reach it (IP_TRANSPARENT), instead of leaving it to its own timeout.
                assertThat(failed).allSatisfy(a -> assertThat((a.endedNanos() - t0) / 1e9)
                        .as("seconds from the kill to association " + a.index() + " ending").isLessThan(5));
                long unconfirmed = all.stream().mapToLong(a -> a.sent().size() - a.succeeded().size()).sum();
                measured.add(("associations: %d of %d instances each, %d broke (in flight when lb1 died: %s); "
                        + "instances without a success status (the modality sends them again): %d").formatted(all.size(),
                        PER_ASSOCIATION, failed.size(), failed.stream().map(Attempt::index).toList(), unconfirmed));
                failed.forEach(a -> measured.add("  association " + a.index() + " as storescu saw it: "
                        + a.output().lines().filter(l -> !l.isBlank()).skip(Math.max(0, a.output().lines().count() - 3)).toList()));

                // No instance that got a success status is lost.
                Set<String> stored = storedUids(archiveDir);
                for (Attempt a : all) {
                    assertThat(stored).as("instances of association " + a.index() + " that got a success status")
                            .containsAll(a.succeeded());
                }

                // What the operator sees on lb2.
                String vipStatus = cli(lab, "lb2", adminPort, "vip", "status");
                assertThat(vipStatus).contains("VIP 192.0.2.10/24 on eth0 (VRID 51): MASTER since", "serving: yes");
                assertThat(cli(lab, "lb2", adminPort, "status")).contains("VIP 192.0.2.10/24 on eth0", "MASTER");
                String metrics = lab.exec("lb2", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + adminPort
                        + "; printf 'GET /metrics HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3; cat <&3");
                assertThat(metrics).contains("dicomlb_vip_state{state=\"master\"} 1.0", "dicomlb_vip_serving 1.0");
                measured.add("lb2's vip status after the takeover:\n    " + vipStatus.strip().replace("\n", "\n    "));

                // lb1 comes back as backup (no preempt). Then lb2's only backend is drained: its tracked
                // pool has nothing eligible, and it hands the VIP back to lb1 at once.
                dicomlb(lab, "lb1", c1);
                Wait.until(SETTLE, () -> "lb1 to run as backup again", () -> {
                    try {
                        return cli(lab, "lb1", adminPort, "vip", "status").contains(": BACKUP since");
                    } catch (IllegalStateException e) {
                        return false;
                    }
                });
                // An association opened through lb2 and left open (A-ASSOCIATE-RQ sent, never
                // released): when the VIP leaves lb2, the client's packets go to lb1, so lb2 ends it
                // (and its backend association) instead of holding both until the idle timeout.
                Path rq = Files.write(work.resolve("held-rq.pdu"), org.dicomlb.engine.dicom.Pdus.rq("ARCHIVE", "HOLDER"));
                lab.spawn("cl", List.of("bash", "-c", "exec 3<>/dev/tcp/" + VIP + "/" + dicomPort + "; cat '" + rq
                        + "' >&3; timeout 60 cat <&3 >/dev/null"), work.resolve("held.log"));
                Path lb2Access = work.resolve("lb2").resolve("access.log");
                Wait.until(SETTLE, "lb2 to hold the association open", () -> connectionsOn(lab, "lb2", adminPort) >= 1);
                long t1 = System.nanoTime();
                String drained = lab.exec("lb2", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + adminPort
                        + "; printf 'PUT /api/v1/pools/archive/backends/arch/state HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"state\":\"drain\"}' >&3; cat <&3");
                assertThat(drained).startsWith("HTTP/1.1 200");
                Wait.until(SETTLE, "lb1 to hold the VIP", () -> sampler.firstHolding("lb1", t1) >= 0);
                double backMs = (sampler.firstHolding("lb1", t1) - t1) / 1e6;
                measured.add("archive drained on lb2 (its tracked pool cannot serve) -> lb1 holds the VIP after %.0f ms"
                        .formatted(backMs));
                assertThat(backMs).isLessThan(3 * 100 + (256 - 150) * 100 / 256.0 + 1000);
                assertThat(cli(lab, "lb2", adminPort, "vip", "status"))
                        .contains(": BACKUP since", "serving: no (pool 'archive' has no eligible backend)");
                Wait.until(SETTLE, "lb2 to end the association it held on the VIP", () -> {
                    try {
                        return Files.readAllLines(lb2Access).stream()
                                .anyMatch(l -> l.contains(" calling_ae=HOLDER ") && l.contains(" end=vip_left"));
                    } catch (IOException e) {
                        return false;
                    }
                });
                TestInstances.Instance last = TestInstances.secondaryCapture(work.resolve("source"), 9999, 64, 64, false);
                String via = lab.exec("cl", "timeout", "60", Dcmtk.storescu().toString(), "-v", "-to", "5", "-ta", "5",
                        "-td", "10", "-aet", "MODALITY1", "-aec", "ARCHIVE", VIP, Integer.toString(dicomPort),
                        last.file().toString());
                assertThat(via).contains("Received Store Response (Success)");
                Wait.until(SETTLE, "the last instance in the archive", () -> storedName(archiveDir, last.sopInstanceUid()));
                // Through lb1: its access log (appended by both of its runs) ends with that association.
                Path lb1Access = work.resolve("lb1").resolve("access.log");
                Wait.until(SETTLE, "lb1's access-log line for it", () -> {
                    try {
                        List<String> lines = Files.readAllLines(lb1Access);
                        return !lines.isEmpty() && lines.getLast().contains(" result=accepted ")
                                && lines.getLast().contains(" assoc_end=released ");
                    } catch (IOException e) {
                        return false;
                    }
                });

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
