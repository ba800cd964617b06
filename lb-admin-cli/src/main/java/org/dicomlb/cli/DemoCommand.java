package org.dicomlb.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.cli.demo.BannerEchoServer;
import org.dicomlb.config.ConfigException;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.transport.Transport;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code dicomlb demo}: the appliance with a bundled configuration and simulated backends, all on
 * loopback, so a first-time user sees balancing, failover, metrics and reload without any setup.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run dicomlb with a bundled configuration and built-in simulated backends on 127.0.0.x.")
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Mixin
    RunCommand.RuntimeOptions runtime;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("dicomlb-demo");
        Path file = dir.resolve("demo.yaml");
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo/demo.yaml")) {
            Files.copy(in, file);
        }
        RootConfig config;
        try {
            config = RootConfigReader.load(file);
        } catch (ConfigException e) {
            throw new IllegalStateException("the bundled demo configuration is invalid: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        return RunCommand.runUntilSignalled(spec, runtime, () -> {
            Transport backendsIo = Transport.create("demo-backends", 1, true);
            List<AutoCloseable> backends = new ArrayList<>();
            try {
                for (PoolConfig p : config.engine().pools()) {
                    for (var b : p.backends()) {
                        backends.add(BannerEchoServer.start(backendsIo, b.name(), b.address()));
                    }
                }
            } catch (RuntimeException e) {
                closeAll(backends);
                backendsIo.close();
                throw new EngineException("demo backends cannot start: " + e.getMessage());
            }
            Appliance app = Appliance.start(file, config, runtime.engineOptions());
            app.alsoClose(() -> {
                closeAll(backends);
                backendsIo.close();
            });
            printGuide(out, file);
            return app;
        });
    }

    private static void closeAll(List<AutoCloseable> cs) {
        for (AutoCloseable c : cs) {
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down; nothing useful to do with a failed close
            }
        }
    }

    private static void printGuide(PrintWriter out, Path file) {
        out.println();
        out.println("dicomlb demo is running. Configuration: " + file);
        out.println("  TCP listener 127.0.0.1:10400 -> pool 'demo': demo-1 (127.0.0.11), demo-2 (127.0.0.12),");
        out.println("                                  demo-dr (127.0.0.13, backup)");
        out.println();
        out.println("Try:");
        out.println("  bash -c 'exec 3<>/dev/tcp/127.0.0.1/10400; head -1 <&3'   # greets you with the backend's name");
        out.println("  (or: nc 127.0.0.1 10400, then type: it echoes)");
        out.println("  ./dicomlb status                         # pools, backends, health, connections");
        out.println("  ./dicomlb drain demo/demo-1              # no new connections to demo-1; then: ./dicomlb ready demo/demo-1");
        out.println("  curl -s 127.0.0.1:9900/metrics | grep dicomlb_   # Prometheus metrics");
        out.println("  edit " + file);
        out.println("  ./dicomlb reload                         # apply the edit without cutting connections");
        out.println("Stop with Ctrl-C. The access log (one line per connection) is printed below.");
        out.println();
        out.flush();
    }
}
