package org.dicomlb.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.packaging.load.DicomlbProcess;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;

/**
 * The .deb as a hospital's engineer meets it, on this Debian 12 machine: lintian, dpkg -i, the
 * installed command, the shipped configuration, the service user relaying a C-ECHO and telling
 * systemd it is ready, the unit checked by systemd-analyze, then dpkg -r and dpkg -P with what
 * each must keep and remove. The machine is left as found: the package is purged and its user
 * removed in a finally, whatever failed.
 *
 * <p>Addresses: everything listens on and connects to 127.0.0.1 (the installed dicomlb, its admin
 * listener and the simulated archive), on ports from {@link Ports}.
 */
class DebPackageIT {
    private static final String PKG = "dicomlb";
    private static final Path CONFFILE = Path.of("/etc/dicomlb/dicomlb.yaml");
    private static final Path UNIT = Path.of("/lib/systemd/system/dicomlb.service");
    private static final Path WANTS = Path.of("/etc/systemd/system/multi-user.target.wants/dicomlb.service");
    private static final Path MASK = Path.of("/etc/systemd/system/dicomlb.service");
    private static final Path HOME = Path.of("/usr/lib/dicomlb");

    @Test
    void installRunAndRemove() throws Exception {
        assertThat(Host.run("id", "-u").output().trim())
                .as("the package test installs a .deb: run it as root (CI does)").isEqualTo("0");
        Host.require("dpkg", "dpkg-query", "lintian", "systemd-analyze", "setpriv", "adduser", "deluser", "bash");
        Path deb = findDeb();
        assertThat(Host.packageStatus(PKG)).as("dicomlb is already installed here; this test installs and purges it,"
                + " so it refuses to touch an installation it did not make: dpkg -P dicomlb first").isIn("", "unknown ok not-installed");
        assertThat(Host.userExists(PKG)).as("a 'dicomlb' user exists already; this test creates and removes it").isFalse();

        Path scratch = Files.createTempDirectory("dicomlb-deb-it-");
        try {
            lintianFindsNoErrors(deb);
            installs(deb);
            theInstalledCommandRuns();
            theUnitVerifies(scratch);
            theServiceUserRelaysAnEcho(scratch);
            removeKeepsConfigurationAndUserPurgeRemovesThem(deb);
        } finally {
            // Leave the machine as found, whatever failed above.
            if (!Host.packageStatus(PKG).isEmpty() && !Host.packageStatus(PKG).startsWith("unknown")) {
                Host.run("dpkg", "-P", PKG);
            }
            if (Host.userExists(PKG)) {
                Host.run("deluser", "--system", "--quiet", PKG);
            }
            if (Host.groupExists(PKG)) {
                Host.run("delgroup", "--system", "--quiet", PKG);
            }
            deleteTree(scratch);
        }
    }

    @Test
    void theTarballRunsFromWhereverItIsUnpacked() throws Exception {
        Path target = Path.of(System.getProperty("dicomlb.target", "target"));
        Path tarball = target.resolve("dicomlb-" + System.getProperty("dicomlb.version") + "-linux-x86_64.tar.gz");
        assertThat(tarball).isRegularFile();
        Path dir = Files.createTempDirectory("dicomlb-tar-it-");
        try {
            Host.Run untar = Host.run("tar", "-xzf", tarball.toString(), "-C", dir.toString());
            assertThat(untar.exit()).as(untar.toString()).isZero();
            Path top = dir.resolve("dicomlb-" + System.getProperty("dicomlb.version"));
            assertThat(top.resolve("etc/dicomlb.yaml")).isRegularFile();
            assertThat(top.resolve("systemd/dicomlb.service")).isRegularFile();
            assertThat(top.resolve("systemd/vip.conf")).isRegularFile();
            assertThat(top.resolve("share/bash-completion/completions/dicomlb")).isRegularFile();
            // Another path than the one it was trained at: the cache must still load (AOTMode=on
            // refuses to start without it), and the bundled runtime must be the one that runs.
            Host.Run version = Host.run(List.of(top.resolve("bin/dicomlb").toString(), "--version"),
                    Map.of("DICOMLB_JAVA_OPTS", "-XX:AOTMode=on -XshowSettings:properties", "JAVA_HOME", "/nonexistent"), 120);
            assertThat(version.exit()).as(version.toString()).isZero();
            assertThat(version.output()).contains("dicomlb " + System.getProperty("dicomlb.version"))
                    .contains("java.home = " + top.resolve("runtime"));
            Host.Run validate = Host.run(top.resolve("bin/dicomlb").toString(), "validate", "-c",
                    top.resolve("etc/dicomlb.yaml").toString());
            assertThat(validate.exit()).as(validate.toString()).isZero();
        } finally {
            deleteTree(dir);
        }
    }

    private static Path findDeb() throws IOException {
        Path target = Path.of(System.getProperty("dicomlb.target", "target"));
        try (Stream<Path> s = Files.list(target)) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().matches("dicomlb_.*_amd64\\.deb")).toList();
            assertThat(debs).as("the package phase builds exactly one .deb in " + target).hasSize(1);
            return debs.getFirst();
        }
    }

    private static void lintianFindsNoErrors(Path deb) throws Exception {
        Host.Run r = Host.run(List.of("lintian", "--tag-display-limit", "0", deb.toString()), Map.of(), 600);
        List<String> errors = r.output().lines().filter(l -> l.startsWith("E: ")).toList();
        assertThat(errors).as("lintian errors (warnings are explained in docs/packaging.md):\n" + r.output()).isEmpty();
        assertThat(r.exit()).as(r.toString()).isIn(0, 1);
    }

    private static void installs(Path deb) throws Exception {
        Host.Run r = Host.run("dpkg", "-i", deb.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Host.packageStatus(PKG)).isEqualTo("install ok installed");
        assertThat(Path.of("/usr/bin/dicomlb")).isSymbolicLink();
        assertThat(Path.of("/usr/bin/dicomlb").toRealPath()).isEqualTo(HOME.resolve("bin/dicomlb"));
        assertThat(HOME.resolve("runtime/bin/java")).isExecutable();
        assertThat(CONFFILE).isRegularFile();
        assertThat(UNIT).isRegularFile();
        assertThat(Path.of("/usr/share/bash-completion/completions/dicomlb")).isRegularFile();
        assertThat(Host.run("dpkg-query", "-W", "-f=${Conffiles}", PKG).output()).contains(CONFFILE.toString());

        Host.Run user = Host.run("getent", "passwd", PKG);
        assertThat(user.exit()).as("postinst creates the dicomlb user").isZero();
        String[] fields = user.output().trim().split(":");
        assertThat(Integer.parseInt(fields[2])).as("a system user").isLessThan(1000);
        assertThat(fields[6]).as("no login shell").endsWith("nologin");
        assertThat(WANTS).as("enabled at boot, as dh_installsystemd would").isSymbolicLink();
        Host.Run again = Host.run("sh", "-c", "DPKG_MAINTSCRIPT_NAME=postinst /var/lib/dpkg/info/dicomlb.postinst configure 0.0.1");
        assertThat(again.exit()).as("postinst runs again (upgrade path) without failing: " + again).isZero();
    }

    private static void theInstalledCommandRuns() throws Exception {
        Host.Run version = Host.run("/usr/bin/dicomlb", "--version");
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.output()).contains("dicomlb " + System.getProperty("dicomlb.version")).contains("JVM: ")
                .as("netty-tcnative's BoringSSL loads in the jlink runtime: " + version).contains("TLS: OpenSSL (BoringSSL)")
                .as("the JVM prints nothing of its own into a command's output").doesNotContain("warning");
        if (Files.exists(HOME.resolve("lib/dicomlb.aot"))) {
            // AOTMode=on refuses to start unless the shipped cache maps for these installed files.
            Host.Run aot = Host.run(List.of("/usr/bin/dicomlb", "--version"), Map.of("DICOMLB_JAVA_OPTS", "-XX:AOTMode=on"), 120);
            assertThat(aot.exit()).as("the AOT cache loads at the installed path: " + aot).isZero();
        }
        Host.Run validate = Host.run("setpriv", "--reuid=dicomlb", "--regid=dicomlb", "--init-groups",
                "/usr/bin/dicomlb", "validate", "-c", CONFFILE.toString());
        assertThat(validate.exit()).as("the shipped configuration validates as the service user: " + validate).isZero();
        Host.Run completion = Host.run("bash", "-c", "source /usr/share/bash-completion/completions/dicomlb && complete -p dicomlb");
        assertThat(completion.output()).as(completion.toString()).contains("dicomlb");
    }

    private static void theUnitVerifies(Path scratch) throws Exception {
        Host.Run verify = Host.run("systemd-analyze", "verify", UNIT.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.output()).as(verify.toString()).doesNotContain("dicomlb.service:");
        // The VIP drop-in on top of the unit, from a unit directory of our own.
        Path units = Files.createDirectories(scratch.resolve("units"));
        Files.copy(UNIT, units.resolve("dicomlb.service"));
        Path dropIns = Files.createDirectories(units.resolve("dicomlb.service.d"));
        Files.copy(Path.of("/usr/share/doc/dicomlb/examples/vip.conf"), dropIns.resolve("vip.conf"));
        Host.Run withVip = Host.run(List.of("systemd-analyze", "verify", units.resolve("dicomlb.service").toString()),
                Map.of("SYSTEMD_UNIT_PATH", units + ":"), 120);
        assertThat(withVip.exit()).as(withVip.toString()).isZero();
        assertThat(withVip.output()).as(withVip.toString()).doesNotContain("dicomlb.service:");
    }

    private static void theServiceUserRelaysAnEcho(Path scratch) throws Exception {
        // The shipped file with its loopback ports moved to free ones (port 104 needs the unit's
        // capability, which a process started here has not).
        int admin = Ports.free("127.0.0.1");
        int listener = Ports.free("127.0.0.1");
        int archive = Ports.free("127.0.0.1");
        String shipped = Files.readString(CONFFILE);
        assertThat(shipped).contains("listen: 127.0.0.1:9900", "bind: 127.0.0.1:104", "address: 127.0.0.1:11112");
        Path dir = Files.createDirectories(scratch.resolve("run"));
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path config = dir.resolve("dicomlb.yaml");
        Files.writeString(config, shipped.replace("127.0.0.1:9900", "127.0.0.1:" + admin)
                .replace("127.0.0.1:104", "127.0.0.1:" + listener)
                .replace("127.0.0.1:11112", "127.0.0.1:" + archive));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

        Path notifyPath = dir.resolve("notify");
        try (SimulatedScp scp = SimulatedScp.start(ScpConfig.of(AeTitle.of("ARCHIVE")), new InetSocketAddress("127.0.0.1", archive));
             NotifySocket notify = new NotifySocket(notifyPath)) {
            Files.setPosixFilePermissions(notifyPath, PosixFilePermissions.fromString("rw-rw-rw-"));
            List<String> asUser = List.of("setpriv", "--reuid=dicomlb", "--regid=dicomlb", "--init-groups");
            try (DicomlbProcess p = DicomlbProcess.start(asUser, Path.of("/usr/bin/dicomlb"), config,
                    List.of("--shutdown-grace", "2s"), Map.of("NOTIFY_SOCKET", notifyPath.toString()), dir.resolve("dicomlb.log"))) {
                String ready = notify.await("READY=1", Duration.ofSeconds(120));
                assertThat(ready).as("sent by the JVM itself (NotifyAccess=main)").contains("MAINPID=" + p.pid());
                assertThat(uidOf(p.pid())).isEqualTo(Host.run("id", "-u", PKG).output().trim());

                // Ready means bound: the very next association is relayed to the archive.
                Host.Run echo = Host.run("/usr/bin/dicomlb", "echo", "ARCHIVE@127.0.0.1:" + listener, "--timeout", "20s");
                assertThat(echo.exit()).as(echo + "\n" + p.tail(30)).isZero();
                assertThat(echo.output()).startsWith("success:");
                assertThat(scp.stats().echoes()).as("the archive behind dicomlb answered it").isGreaterThanOrEqualTo(1);

                Host.Run status = Host.run("/usr/bin/dicomlb", "status", "--json", "--admin", "127.0.0.1:" + admin);
                assertThat(status.exit()).as(status.toString()).isZero();
                assertThat(status.output()).contains("\"archive1\"");

                int exit = p.stop(Duration.ofSeconds(60));
                notify.await("STOPPING=1", Duration.ofSeconds(10));
                assertThat(exit).as("SIGTERM drains and exits 0:\n" + p.tail(30)).isZero();
            }
        }
    }

    private static void removeKeepsConfigurationAndUserPurgeRemovesThem(Path deb) throws Exception {
        String edit = "\n# edited by the site\n";
        Files.writeString(CONFFILE, Files.readString(CONFFILE) + edit);

        Host.Run remove = Host.run("dpkg", "-r", PKG);
        assertThat(remove.exit()).as(remove.toString()).isZero();
        assertThat(Host.packageStatus(PKG)).isEqualTo("deinstall ok config-files");
        assertThat(HOME).doesNotExist();
        assertThat(Path.of("/usr/bin/dicomlb")).doesNotExist();
        assertThat(UNIT).doesNotExist();
        assertThat(CONFFILE).as("remove keeps the configuration").content().endsWith(edit);
        assertThat(Host.userExists(PKG)).as("remove keeps the user").isTrue();
        assertThat(MASK).as("masked while removed, as dh_installsystemd does").isSymbolicLink();

        // Installing again keeps the site's edit (an unchanged package conffile never overwrites it).
        Host.Run reinstall = Host.run("dpkg", "-i", deb.toString());
        assertThat(reinstall.exit()).as(reinstall.toString()).isZero();
        assertThat(CONFFILE).content().endsWith(edit);
        assertThat(MASK).as("unmasked again").doesNotExist();

        Host.Run purge = Host.run("dpkg", "-P", PKG);
        assertThat(purge.exit()).as(purge.toString()).isZero();
        assertThat(Host.packageStatus(PKG)).isIn("", "unknown ok not-installed");
        assertThat(CONFFILE).doesNotExist();
        assertThat(CONFFILE.getParent()).as("purge removes /etc/dicomlb").doesNotExist();
        assertThat(Host.userExists(PKG)).as("purge removes the user").isFalse();
        assertThat(Host.groupExists(PKG)).as("and its group").isFalse();
        assertThat(WANTS).doesNotExist();
        assertThat(MASK).doesNotExist();
        assertThat(Path.of("/var/lib/systemd/deb-systemd-helper-enabled/dicomlb.service.dsh-also")).doesNotExist();
    }

    private static String uidOf(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1];
            }
        }
        throw new IOException("no Uid line for " + pid);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
