package org.dicomlb.dnsproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomlb.dnsproxy.Fixture.at;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;
import org.dicomlb.dnsproxy.config.Family;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once against an independent DNS server: gdnsd from Debian in its own process, with a config
 * directory of its own and listening only on 127.0.0.1 at a free port. Its zone is rewritten and
 * reloaded the way an operator would ({@code gdnsdctl reload-zones}).
 */
class GdnsdTest {
    private static final String NAME = "dicom.example.org";

    @TempDir
    Path dir;

    @Test
    void followsGdnsdsAnswerWhenItsZoneChanges() throws Exception {
        Path gdnsd = tool("gdnsd");
        Path gdnsdctl = tool("gdnsdctl");
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
        zone("127.0.1.1", 1);

        Process server = new ProcessBuilder(gdnsd.toString(), "-c", dir.toString(), "start")
                .redirectErrorStream(true).redirectOutput(dir.resolve("gdnsd.log").toFile()).start();
        try (Fixture f = new Fixture()) {
            DnsBackendConfig c = DnsBackendConfig.of(NAME, 104, List.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port)))
                    .withTiming(Duration.ofSeconds(1), Duration.ofMillis(500), 3);
            f.apply(Map.of(
                    "legacy/gslb", c,
                    "legacy/missing", c.withName("missing.example.org"),
                    "legacy/v6", c.withFamily(Family.IPV6)));

            Resolution first = awaitOrExplain(f, server, "legacy/gslb", r -> r.up());
            assertThat(first.addresses()).containsExactly(at("127.0.1.1"));
            assertThat(awaitOrExplain(f, server, "legacy/missing", r -> r.result() == RoundResult.NXDOMAIN).up()).isFalse();
            assertThat(awaitOrExplain(f, server, "legacy/v6", r -> r.result() == RoundResult.NODATA).up()).isFalse();

            zone("127.0.2.1", 2);
            Process reload = new ProcessBuilder(gdnsdctl.toString(), "-c", dir.toString(), "reload-zones")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("gdnsdctl.log").toFile()).start();
            assertThat(reload.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(reload.exitValue()).as(Files.readString(dir.resolve("gdnsdctl.log"))).isZero();

            Resolution moved = awaitOrExplain(f, server, "legacy/gslb", r -> r.addresses().equals(List.of(at("127.0.2.1"))));
            assertThat(moved.up()).isTrue();
            assertThat(f.events("legacy/gslb")).filteredOn(r -> r.result() != RoundResult.PENDING).allMatch(Resolution::up);
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private Resolution awaitOrExplain(Fixture f, Process server, String id, java.util.function.Predicate<Resolution> p)
            throws Exception {
        try {
            return f.await(id, r -> p.test(r) || !server.isAlive());
        } finally {
            if (!server.isAlive()) {
                throw new AssertionError("gdnsd exited with " + server.exitValue() + ": "
                        + Files.readString(dir.resolve("gdnsd.log")));
            }
        }
    }

    private void zone(String address, int serial) throws IOException {
        // Written aside and moved, so the server never reads half a file.
        Path tmp = dir.resolve("example.org.tmp");
        Files.writeString(tmp, """
                $TTL 5
                @      SOA ns1 hostmaster %d 7200 1800 259200 5
                @      NS  ns1
                @      NS  ns2
                ns1    A   127.0.0.1
                ns2    A   127.0.0.1
                dicom  A   %s
                """.formatted(serial, address));
        Files.move(tmp, dir.resolve("zones").resolve("example.org"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path tool(String name) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(name + " is not installed; run scripts/install-test-deps.sh (Debian package gdnsd)");
    }
}
