package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * A SIGHUP that arrives while the appliance is starting (its listeners may already serve) is a
 * reload once the start is done. It used to meet the JVM's default action for SIGHUP, which is to
 * exit: a reload sent right after a start (a config tool, logrotate) stopped the appliance.
 * Runs in this JVM, so that the signal reaches {@code runUntilSignalled} at a known point.
 */
class SignalWhileStartingTest {
    @TempDir
    Path dir;

    private TestBackend backend;

    @AfterEach
    void cleanUp() {
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

        RunCommand.RuntimeOptions runtime = new RunCommand.RuntimeOptions();
        runtime.accessLog = dir.resolve("access.log");
        runtime.shutdownGrace = "1s";
        runtime.transport = RunCommand.RuntimeOptions.TransportChoice.epoll;
        runtime.runtimeDir = dir.resolve("run");
        CommandLine.Model.CommandSpec spec = new CommandLine(new RunCommand()).getCommandSpec();
        RunCommand.Starter starter = accessLog -> {
            Appliance app;
            try {
                app = Appliance.start(config, RootConfigReader.load(config), runtime.options(), accessLog);
                // The operator's edit and its SIGHUP land while the start is still going on.
                Files.writeString(config, """
                        listeners:
                          - { name: one, bind: 127.0.0.1:%d, pool: p }
                          - { name: two, bind: 127.0.0.1:%d, pool: p }
                        """.formatted(first, second) + pool);
                Signal.raise(new Signal("HUP"));
                // The handler runs on the JVM's signal thread; give it time to run before the start ends.
                Thread.sleep(500);
            } catch (IOException | org.dicomlb.config.ConfigException | InterruptedException e) {
                throw new EngineException("test setup: " + e);
            }
            return app;
        };
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> RunCommand.runUntilSignalled(spec, runtime, starter));

        assertThat(whoServesWithin(new InetSocketAddress("127.0.0.1", second), 20_000)).isEqualTo("b1");
        assertThat(Client.whoServes(new InetSocketAddress("127.0.0.1", first), null)).isEqualTo("b1");

        Signal.raise(new Signal("TERM"));
        assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
    }

    private static String whoServesWithin(InetSocketAddress a, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return Client.whoServes(a, null);
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing served " + a + " within " + millis + "ms", last);
    }
}
