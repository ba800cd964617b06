package org.dicomlb.vip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.dicomlb.vip.config.Preemption;
import org.dicomlb.vip.config.Tracking;
import org.dicomlb.vip.config.VipAddress;
import org.dicomlb.vip.config.VipConfig;
import org.dicomlb.vip.internal.KeepalivedConf;
import org.dicomlb.vip.testing.Lab;
import org.dicomlb.vip.testing.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime in this JVM with a real keepalived, run in a network namespace of its own.
 *
 * <p>Addresses: namespace {@code dlbv<pid><rand>-rt} has a veth pair {@code eth0}/{@code eth1}
 * inside it, 192.0.2.1/24 (TEST-NET-1) on eth0; the VIP is 192.0.2.10/24 on eth0. keepalived's
 * VRRP adverts go out of eth0 into eth1 and no further; with no peer it becomes master after the
 * master-down interval.
 */
class VipRuntimeTest {
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static Lab lab;
    private static String ns;

    @TempDir
    Path dir;

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final FakeServing serving = new FakeServing();
    private VipRuntime runtime;

    @BeforeAll
    static void namespace() {
        lab = new Lab();
        ns = lab.ns("rt");
        Lab.run("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
        Lab.run("ip", "-n", ns, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        Lab.run("ip", "-n", ns, "link", "set", "eth1", "up");
        Lab.run("ip", "-n", ns, "link", "set", "eth0", "up");
    }

    @AfterAll
    static void removeNamespace() {
        if (lab != null) {
            lab.close();
        }
    }

    @AfterEach
    void closeRuntime() {
        if (runtime != null) {
            runtime.close();
        }
        // Nothing of a test may outlive it: no keepalived left in the namespace.
        Wait.until(SETTLE, () -> "no process left in the namespace: " + lab.pids("rt"), () -> lab.pids("rt").isEmpty());
    }

    static final class FakeServing implements ServingView {
        volatile boolean pool = true;
        volatile boolean listener = true;

        @Override
        public boolean listenerBound(String l) {
            return listener;
        }

        @Override
        public boolean poolServable(String p) {
            return pool;
        }
    }

    private VipRuntime.Options options() {
        return VipRuntime.Options.defaults(dir.resolve("run"), "test.yaml").withLauncher(List.of("ip", "netns", "exec", ns))
                .withCheckInterval(Duration.ofMillis(200)).withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    private static VipConfig config(String iface, int priority, Tracking tracking) {
        return new VipConfig(iface, List.of(VipAddress.parse("192.0.2.10/24")), 51, priority, Duration.ofMillis(100),
                Preemption.OFF, List.of(), Optional.empty(), tracking);
    }

    private static VipConfig tracked(int priority) {
        return config("eth0", priority, new Tracking(List.of("dicom"), List.of("archive"), 100));
    }

    private boolean vipOnInterface() {
        return Lab.run("ip", "-n", ns, "-o", "-4", "addr", "show", "dev", "eth0").contains("192.0.2.10/24");
    }

    private double stateGauge(VipState s) {
        return registry.get("dicomlb.vip.state").tag("state", s.label()).gauge().value();
    }

    @Test
    void appliedSectionStartsKeepalivedWhichTakesTheVipAndReportsIt() throws Exception {
        runtime = new VipRuntime(serving, registry, options());
        assertThat(runtime.status().configured()).isFalse();
        assertThat(stateGauge(VipState.STOPPED)).isEqualTo(1);

        VipStatus applied = runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS);
        assertThat(applied.configured()).isTrue();
        assertThat(applied.state()).isIn(VipState.BACKUP, VipState.MASTER);
        assertThat(applied.keepalivedPid()).isNotNull();

        Wait.until(SETTLE, "master", () -> runtime.status().state() == VipState.MASTER);
        Wait.until(SETTLE, "VIP on eth0", this::vipOnInterface);
        VipStatus s = runtime.status();
        assertThat(s.master()).isTrue();
        assertThat(s.interfaceName()).isEqualTo("eth0");
        assertThat(s.addresses()).containsExactly("192.0.2.10/24");
        assertThat(s.virtualRouterId()).isEqualTo(51);
        assertThat(s.effectivePriority()).isEqualTo(150);
        assertThat(s.serving()).isTrue();
        // Micrometer holds gauge state weakly: the meters must not read from something only they hold.
        System.gc();
        System.gc();
        assertThat(stateGauge(VipState.MASTER)).isEqualTo(1);
        assertThat(stateGauge(VipState.BACKUP)).isZero();
        assertThat(registry.get("dicomlb.vip.priority").gauge().value()).isEqualTo(150);

        Path run = dir.resolve("run");
        assertThat(Files.readString(run.resolve("keepalived.conf")))
                .startsWith("# Generated by dicomlb from the vip: section of test.yaml.\n# Do not edit")
                .contains("interface eth0", "virtual_router_id 51", "priority 150", "advert_int 0.1", "nopreempt",
                        "192.0.2.10/24 dev eth0");
        assertThat(Files.readString(run.resolve("serving.track"))).isEqualTo("0\n");
        assertThat(Files.readAttributes(run.resolve("notify.fifo"), java.nio.file.attribute.BasicFileAttributes.class).isOther()).isTrue();
    }

    @Test
    void aTrackedPoolThatCannotServeDropsThePriorityAndHandsTheVipOverThroughFault() throws Exception {
        runtime = new VipRuntime(serving, registry, options());
        runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS);
        Wait.until(SETTLE, "master", () -> runtime.status().master());
        Path track = dir.resolve("run/serving.track");

        serving.pool = false;
        runtime.servingChanged();
        // The hand-over: FAULT (priority 0 advert, VIP removed), then backup with the lowered priority.
        // Alone on the segment, the node then becomes master again at priority 150 - 100.
        Wait.until(SETTLE, () -> "priority 50, was " + runtime.status(), () -> Integer.valueOf(50).equals(runtime.status().effectivePriority()));
        Wait.until(SETTLE, "master again, alone", () -> runtime.status().master());
        VipStatus s = runtime.status();
        assertThat(s.serving()).isFalse();
        assertThat(s.notServingBecause()).containsExactly("pool 'archive' has no eligible backend");
        assertThat(Files.readString(track)).isEqualTo("-100\n");
        assertThat(registry.get("dicomlb.vip.serving").gauge().value()).isZero();

        serving.pool = true;
        serving.listener = false;
        runtime.servingChanged();
        Wait.until(SETTLE, "listener reason", () -> runtime.status().notServingBecause().equals(List.of("listener 'dicom' is not bound")));
        serving.listener = true;
        // No servingChanged(): the periodic check notices on its own.
        Wait.until(SETTLE, () -> "priority 150 again, was " + runtime.status(),
                () -> Integer.valueOf(150).equals(runtime.status().effectivePriority()) && runtime.status().serving());
        assertThat(Files.readString(track)).isEqualTo("0\n");
    }

    @Test
    void demotionLowersThePriorityUntilItEnds() throws Exception {
        runtime = new VipRuntime(serving, registry, options());
        runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS);
        Wait.until(SETTLE, "master", () -> runtime.status().master());
        assertThat(runtime.demote(true).get(10, TimeUnit.SECONDS).demoted()).isTrue();
        Wait.until(SETTLE, "priority 50", () -> Integer.valueOf(50).equals(runtime.status().effectivePriority()));
        assertThat(runtime.status().notServingBecause()).containsExactly("demoted by an operator");
        runtime.demote(false).get(10, TimeUnit.SECONDS);
        Wait.until(SETTLE, "priority 150", () -> Integer.valueOf(150).equals(runtime.status().effectivePriority()));
    }

    @Test
    void aChangedSectionReloadsTheSameKeepalivedWhichKeepsTheVip() throws Exception {
        runtime = new VipRuntime(serving, registry, options());
        runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS);
        Wait.until(SETTLE, "master", () -> runtime.status().master());
        long pid = runtime.status().keepalivedPid();

        // The same section again is no change at all.
        assertThat(runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS).keepalivedPid()).isEqualTo(pid);

        VipStatus reloaded = runtime.apply(tracked(120)).get(30, TimeUnit.SECONDS);
        assertThat(reloaded.keepalivedPid()).isEqualTo(pid);
        assertThat(reloaded.priority()).isEqualTo(120);
        Wait.until(SETTLE, () -> "priority 120, was " + runtime.status(), () -> Integer.valueOf(120).equals(runtime.status().effectivePriority()));
        assertThat(runtime.status().master()).isTrue();
        assertThat(vipOnInterface()).isTrue();
        assertThat(Files.readString(dir.resolve("run/keepalived.conf"))).contains("priority 120");

        // A section that changes only what dicomlb tracks needs no reload: the track file changes.
        // keepalived's report of it also shows that its notify FIFO survived the reload above
        // (keepalived 2.2.7 drops a FIFO that names no user when it reloads).
        serving.pool = false;
        VipStatus retracked = runtime.apply(config("eth0", 120, new Tracking(List.of(), List.of("archive"), 60)))
                .get(30, TimeUnit.SECONDS);
        assertThat(retracked.keepalivedPid()).isEqualTo(pid);
        Wait.until(SETTLE, () -> "priority 60, was " + runtime.status(), () -> Integer.valueOf(60).equals(runtime.status().effectivePriority()));
        assertThat(Files.readString(dir.resolve("run/serving.track"))).isEqualTo("-60\n");
        assertThat(runtime.status().keepalivedPid()).isEqualTo(pid);
    }

    @Test
    void keepalivedThatDiesIsStartedAgain() throws Exception {
        runtime = new VipRuntime(serving, registry, options());
        runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS);
        Wait.until(SETTLE, "master", () -> runtime.status().master());
        long pid = runtime.status().keepalivedPid();

        Lab.run("kill", "-KILL", Long.toString(pid));
        Wait.until(SETTLE, () -> "a new keepalived, master again; now " + runtime.status(), () -> {
            VipStatus s = runtime.status();
            return s.keepalivedPid() != null && s.keepalivedPid() != pid && s.master();
        });
        VipStatus s = runtime.status();
        assertThat(s.keepalivedRestarts()).isEqualTo(1);
        assertThat(s.lastExit()).contains("exited with status");
        assertThat(registry.get("dicomlb.vip.keepalived.restarts").functionCounter().count()).isEqualTo(1);
        Wait.until(SETTLE, "VIP on eth0", this::vipOnInterface);
    }

    @Test
    void closeStopsKeepalivedAndTheVipLeaves() throws Exception {
        runtime = new VipRuntime(serving, registry, options());
        runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS);
        Wait.until(SETTLE, "VIP on eth0", this::vipOnInterface);
        long pid = runtime.status().keepalivedPid();
        runtime.close();
        runtime = null;
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(vipOnInterface()).isFalse();
    }

    @Test
    void removingTheSectionStopsKeepalived() throws Exception {
        runtime = new VipRuntime(serving, registry, options());
        runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS);
        Wait.until(SETTLE, "VIP on eth0", this::vipOnInterface);
        VipStatus s = runtime.disable().get(30, TimeUnit.SECONDS);
        assertThat(s.configured()).isFalse();
        assertThat(s.state()).isEqualTo(VipState.STOPPED);
        assertThat(s.keepalivedPid()).isNull();
        assertThat(vipOnInterface()).isFalse();
        Wait.until(SETTLE, "nothing left in the namespace", () -> lab.pids("rt").isEmpty());
    }

    @Test
    void everyOptionRendersAConfigurationKeepalivedRuns() throws Exception {
        runtime = new VipRuntime(serving, registry, options());
        VipConfig every = new VipConfig("eth0", List.of(VipAddress.parse("192.0.2.10/24"), VipAddress.parse("192.0.2.11")), 51,
                200, Duration.ofMillis(250), new Preemption(true, Duration.ofMillis(500)),
                List.of((java.net.Inet4Address) java.net.InetAddress.ofLiteral("192.0.2.2")),
                Optional.of((java.net.Inet4Address) java.net.InetAddress.ofLiteral("192.0.2.1")),
                new Tracking(List.of("dicom"), List.of("archive"), 253));
        VipStatus s = runtime.apply(every).get(30, TimeUnit.SECONDS);
        assertThat(s.state()).isIn(VipState.BACKUP, VipState.MASTER);
        Wait.until(SETTLE, "master", () -> runtime.status().master());
        String addrs = Lab.run("ip", "-n", ns, "-o", "-4", "addr", "show", "dev", "eth0");
        assertThat(addrs).contains("192.0.2.10/24", "192.0.2.11/32");
        assertThat(Files.readString(dir.resolve("run/keepalived.conf")))
                .contains("preempt_delay 0.5", "unicast_src_ip 192.0.2.1", "advert_int 0.25", "check_unicast_src");
    }

    @Test
    void aMissingKeepalivedFailsTheApply() {
        runtime = new VipRuntime(serving, registry, options().withKeepalived("/nonexistent/keepalived"));
        assertThatThrownBy(() -> runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(VipException.class)
                .hasMessageContaining("keepalived ('/nonexistent/keepalived') is not installed")
                .hasMessageContaining("Debian package keepalived");
        assertThat(runtime.status().configured()).isFalse();
        assertThat(runtime.status().state()).isEqualTo(VipState.STOPPED);
    }

    @Test
    void aConfigurationKeepalivedRefusesFailsTheApplyAndStartsNothing() {
        runtime = new VipRuntime(serving, registry, options());
        assertThatThrownBy(() -> runtime.apply(config("eth9", 150, Tracking.NONE)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(VipException.class)
                .hasMessageContaining("keepalived refuses the configuration")
                .hasMessageContaining("eth9");
        assertThat(runtime.status().configured()).isFalse();
        assertThat(dir.resolve("run/keepalived.conf.new")).doesNotExist();
    }

    @Test
    void aKeepalivedThatExitsAtOnceFailsTheApply() throws Exception {
        // Passes the configuration check, then dies the way a keepalived that cannot run does.
        Path fake = dir.resolve("fake-keepalived");
        Files.writeString(fake, """
                #!/bin/sh
                case "$*" in *--config-test*) exit 0;; esac
                echo "Unable to bind the VRRP socket: Operation not permitted" >&2
                exit 1
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        runtime = new VipRuntime(serving, registry, options().withKeepalived(fake.toString()));
        assertThatThrownBy(() -> runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(VipException.class)
                .hasMessageContaining("keepalived exited with status 1 before reporting a VRRP state")
                .hasMessageContaining("Unable to bind the VRRP socket");
        VipStatus s = runtime.status();
        assertThat(s.configured()).isFalse();
        assertThat(s.state()).isEqualTo(VipState.STOPPED);
        // A failed first start is an error for the operator, not something to retry in a loop.
        Thread.sleep(600);
        assertThat(runtime.status().keepalivedRestarts()).isZero();
    }

    @Test
    void aKeepalivedLeftFromAnEarlierRunIsStoppedBeforeANewOneStarts() throws Exception {
        // What a dicomlb that died before keepalived's death signal was armed leaves behind: a
        // keepalived running from the runtime directory, with the FIFO dicomlb had created.
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Lab.run("mkfifo", run.resolve("notify.fifo").toString());
        Files.writeString(run.resolve("serving.track"), "0\n");
        Files.writeString(run.resolve("keepalived.conf"), KeepalivedConf.render(tracked(150), run.resolve("notify.fifo"),
                run.resolve("serving.track"), run.resolve("keepalived.reload"), "earlier.yaml"));
        Process leftover = lab.spawn("rt", List.of("keepalived", "--dont-fork", "--log-console", "--no-syslog", "--vrrp",
                "--use-file=" + run.resolve("keepalived.conf"), "--pid=" + run.resolve("keepalived.pid"),
                "--vrrp_pid=" + run.resolve("keepalived_vrrp.pid")), dir.resolve("leftover.log"));
        Wait.until(SETTLE, "the leftover holds the VIP", this::vipOnInterface);

        runtime = new VipRuntime(serving, registry, options());
        VipStatus s = runtime.apply(tracked(150)).get(30, TimeUnit.SECONDS);
        assertThat(leftover.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(s.keepalivedPid()).isNotEqualTo(leftover.pid());
        Wait.until(SETTLE, "master", () -> runtime.status().master());
        assertThat(lab.pids("rt")).hasSize(2); // the new keepalived and its VRRP child, nothing else
    }
}
