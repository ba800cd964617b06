package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGHUP that arrives while the appliance is starting (its listeners may already serve) is a
 * reload once the start is done. It used to meet the JVM's default action for SIGHUP, which is to
 * exit: a reload sent right after a start (a config tool, logrotate) stopped the appliance.
 */
class SignalWhileStartingTest {
    @TempDir
    Path dir;

    private Process process;
    private TestBackend backend;

    @AfterEach
    void cleanUp() {
        if (process != null) {
            process.destroyForcibly();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aSighupWhileStartingReloadsOnceStarted() throws Exception {
        backend = TestBackend.start("b1", "127.0.0.11");
        int first = Ports.free("127.0.0.1");
        int second = Ports.free("127.0.0.1");
        String pool = "pools: [ { name: p, backends: [ { name: b1, address: %s } ] } ]\n".formatted(backend.hostPort());
        Path config = dir.resolve("dicomlb.yaml");
        Files.writeString(config, "listeners: [ { name: one, bind: 127.0.0.1:%d, pool: p } ]\n".formatted(first) + pool);
        // The operator's edit, put in place (and SIGHUP sent) while the start is still going on.
        Path edit = Files.writeString(dir.resolve("edited.yaml"), """
                listeners:
                  - { name: one, bind: 127.0.0.1:%d, pool: p }
                  - { name: two, bind: 127.0.0.1:%d, pool: p }
                """.formatted(first, second) + pool);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path out = dir.resolve("out.txt");
        // env --default-signal=HUP: the JVM's default for SIGHUP even when this build runs under nohup.
        process = new ProcessBuilder(List.of("env", "--default-signal=HUP", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StartWithSighupMain.class.getName(),
                config.toString(), edit.toString(), dir.resolve("access.log").toString(), dir.resolve("run").toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();

        assertThat(whoServesWithin(new InetSocketAddress("127.0.0.1", second), 30_000, out)).isEqualTo("b1");
        assertThat(Client.whoServes(new InetSocketAddress("127.0.0.1", first), null)).isEqualTo("b1");
        assertThat(Files.readString(out)).contains("SIGHUP received", "configuration reloaded: 2 listener(s)");

        assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor()).isZero();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(out)).isZero();
    }

    private String whoServesWithin(InetSocketAddress a, long millis, Path out) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the process exited (" + process.exitValue() + "); it said:\n" + Files.readString(out));
            }
            try {
                return Client.whoServes(a, null);
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing served " + a + " within " + millis + "ms; the process said:\n" + Files.readString(out), last);
    }
}
