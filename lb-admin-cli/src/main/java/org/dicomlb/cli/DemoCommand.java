package org.dicomlb.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.cli.demo.DemoBackends;
import org.dicomlb.config.ConfigException;
import org.dicomlb.engine.EngineException;
import org.dicomlb.io.EventLoops;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code dicomlb demo}: the appliance with a bundled configuration and simulated backends (DICOM
 * archives behind a dicom listener, greeting servers behind a TCP listener), all on loopback, so a
 * first-time user sees routing, AE rewrite, failover, metrics and reload without any setup.
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
        return RunCommand.runUntilSignalled(spec, runtime, accessLog -> {
            EventLoops backendsIo = EventLoops.create(true);
            Path received = dir.resolve("received");
            List<AutoCloseable> backends;
            try {
                backends = DemoBackends.start(config.engine(), backendsIo.group("demo-backends", 1), received);
            } catch (RuntimeException e) {
                backendsIo.close();
                throw new EngineException("demo backends cannot start: " + e.getMessage());
            }
            Appliance app;
            try {
                app = Appliance.start(file, config, runtime.options(), accessLog);
            } catch (EngineException | RuntimeException e) {
                DemoBackends.closeAll(backends);
                backendsIo.close();
                throw e;
            }
            app.alsoClose(() -> {
                DemoBackends.closeAll(backends);
                backendsIo.close();
            });
            printGuide(out, file, received);
            return app;
        });
    }

    private static void printGuide(PrintWriter out, Path file, Path received) {
        out.println();
        out.println("dicomlb demo is running. Configuration: " + file);
        out.println("  DICOM listener 127.0.0.1:10104 -> pool 'demo-archive': archive-1 (127.0.0.11),");
        out.println("      archive-2 (127.0.0.12, only answers to ARCHIVE2: dicomlb rewrites the called AE),");
        out.println("      archive-dr (127.0.0.13, backup); called AE QR_* -> pool 'demo-qr': qr-1 (127.0.0.14)");
        out.println("  TCP listener 127.0.0.1:10400 -> pool 'demo': demo-1 (127.0.0.11), demo-2 (127.0.0.12),");
        out.println("      demo-dr (127.0.0.13, backup)");
        out.println();
        out.println("Try:");
        out.println("  ./dicomlb echo " + DemoBackends.DEFAULT_AE + "@127.0.0.1:10104     # a C-ECHO through the balancer");
        out.println("  echoscu -v -aec " + DemoBackends.DEFAULT_AE + " 127.0.0.1 10104        # the same with DCMTK (apt install dcmtk)");
        out.println("  echoscu -v -aec QR_MAIN 127.0.0.1 10104     # routed by called AE to pool demo-qr");
        out.println("  storescu -aec " + DemoBackends.DEFAULT_AE + " 127.0.0.1 10104 FILE.dcm   # stored under " + received
                + "/<backend>/");
        out.println("  bash -c 'exec 3<>/dev/tcp/127.0.0.1/10400; head -1 <&3'   # TCP: greets you with the backend's name");
        out.println("  ./dicomlb status                         # pools, backends, health, connections");
        out.println("  http://127.0.0.1:9900/                   # the status page, in a browser (refreshes itself)");
        out.println("  ./dicomlb connections                    # open associations: AE titles, backend, bytes, PDUs");
        out.println("  ./dicomlb drain demo/demo-1              # no new connections to demo-1; then: ./dicomlb ready demo/demo-1");
        out.println("  curl -s 127.0.0.1:9900/metrics | grep dicomlb_   # Prometheus metrics");
        out.println("  edit " + file);
        out.println("  ./dicomlb reload                         # apply the edit without cutting connections");
        out.println("Stop with Ctrl-C. The access log (one line per connection or association) is printed below.");
        out.println();
        out.flush();
    }
}
