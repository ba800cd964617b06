package org.dicomlb.dnsproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.testkit.Ports;

/**
 * gdnsd from Debian as an independent authoritative DNS server for tests: its own process, a
 * config directory of its own (under a directory the test owns), listening only on 127.0.0.1 at
 * a free port, serving zone {@code example.org} whose {@code dicom} name has one A record. The
 * zone is rewritten and reloaded the way an operator would ({@code gdnsdctl reload-zones}).
 *
 * <p>Shared with the harness's end-to-end tests through this module's test jar.
 */
public final class Gdnsd implements AutoCloseable {
    /** The name the zone serves. */
    public static final String NAME = "dicom.example.org";

    private final Path dir;
    private final InetSocketAddress address;
    private final Process process;
    private int serial;

    private Gdnsd(Path dir, InetSocketAddress address, Process process, int serial) {
        this.dir = dir;
        this.address = address;
        this.process = process;
        this.serial = serial;
    }

    /** Starts gdnsd in {@code dir} (created if needed) answering {@link #NAME} with {@code dicomAddress}. */
    public static Gdnsd start(Path dir, String dicomAddress) throws IOException {
        Path gdnsd = tool("gdnsd");
        int port = Ports.free("127.0.0.1");
        Files.createDirectories(dir.resolve("zones"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("config"), """
                options => {
                  listen => [ "127.0.0.1:%d" ]
                  run_dir => "%s"
                  state_dir => "%s"
                  udp_threads => 1
                  tcp_threads => 1
                }
                """.formatted(port, dir.resolve("run"), dir.resolve("state")));
        writeZone(dir, dicomAddress, 1);
        Process p = new ProcessBuilder(gdnsd.toString(), "-c", dir.toString(), "start")
                .redirectErrorStream(true).redirectOutput(dir.resolve("gdnsd.log").toFile()).start();
        return new Gdnsd(dir, new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port), p, 1);
    }

    /** Where it listens (UDP and TCP). */
    public InetSocketAddress address() {
        return address;
    }

    /** {@code 127.0.0.1:port}, as a configuration's {@code resolvers} lists it. */
    public String hostPort() {
        return "127.0.0.1:" + address.getPort();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** What gdnsd wrote to its log so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("gdnsd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Rewrites the zone so {@link #NAME} answers {@code dicomAddress}, and has gdnsd reload it. */
    public void answer(String dicomAddress) throws IOException, InterruptedException {
        writeZone(dir, dicomAddress, ++serial);
        Path ctlLog = dir.resolve("gdnsdctl.log");
        Process reload = new ProcessBuilder(tool("gdnsdctl").toString(), "-c", dir.toString(), "reload-zones")
                .redirectErrorStream(true).redirectOutput(ctlLog.toFile()).start();
        if (!reload.waitFor(60, TimeUnit.SECONDS)) {
            reload.destroyForcibly();
            throw new AssertionError("gdnsdctl reload-zones did not finish within 60s");
        }
        if (reload.exitValue() != 0) {
            throw new AssertionError("gdnsdctl reload-zones exited " + reload.exitValue() + ": " + Files.readString(ctlLog));
        }
    }

    private static void writeZone(Path dir, String dicomAddress, int serial) {
        // Written aside and moved, so the server never reads half a file.
        Path tmp = dir.resolve("example.org.tmp");
        try {
            Files.writeString(tmp, """
                    $TTL 5
                    @      SOA ns1 hostmaster %d 7200 1800 259200 5
                    @      NS  ns1
                    @      NS  ns2
                    ns1    A   127.0.0.1
                    ns2    A   127.0.0.1
                    dicom  A   %s
                    """.formatted(serial, dicomAddress));
            Files.move(tmp, dir.resolve("zones").resolve("example.org"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Debian tool; fails loudly, naming the install script, when it is missing. */
    static Path tool(String name) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(name + " is not installed; run scripts/install-test-deps.sh (Debian package gdnsd)");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }
}
