package org.dicomlb.harness.bench.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.Layout;
import org.dicomlb.harness.bench.Variant;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.process.OpenFiles;
import org.dicomlb.harness.bench.process.Server;

/**
 * Starts dicomlb, HAProxy and the Netty relay as foreground children for a scenario's {@link Route}, writing the
 * generated configuration next to the run's results so any number can be reproduced by hand.
 */
public final class Proxies {
    /** A JVM on a busy two-core machine can take a while to bind; HAProxy is ready in milliseconds. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Children children;
    private final Layout layout;
    private final DicomlbLaunch dicomlb;
    private final Path configDir;
    private final Path logDir;
    private final Path scratch;

    /**
     * @param scratch where access logs go: they grow with every connection and are not results
     */
    public Proxies(Children children, Layout layout, DicomlbLaunch dicomlb, Path configDir, Path logDir, Path scratch) {
        this.children = children;
        this.layout = layout;
        this.dicomlb = dicomlb;
        this.configDir = configDir;
        this.logDir = logDir;
        this.scratch = scratch;
    }

    public DicomlbLaunch dicomlb() {
        return dicomlb;
    }

    /** Where a client connects for {@code variant}: the first backend itself for direct runs. */
    public InetSocketAddress address(Variant variant, Route route) {
        return switch (variant) {
            case DIRECT -> route.backends().getFirst();
            case DICOMLB -> layout.dicomlb();
            case HAPROXY -> layout.haproxy();
            case NETTY_RELAY -> layout.nettyRelay();
            case NETTY_HTTP -> layout.nettyHttp();
            case GDNSD, NETTY_UDP -> throw new IllegalArgumentException(variant.label() + " is started by the DNS scenario, not for a route");
        };
    }

    /**
     * Starts the proxy of {@code variant} and waits until it listens; dicomlb with a C-ECHO check
     * also until the check reports every backend up (see {@link DicomlbAdmin}). HAProxy counts its
     * servers up from the start and only a failed check takes one down.
     */
    public Server start(Variant variant, String scenario, Route route) throws IOException, InterruptedException {
        return switch (variant) {
            case DIRECT -> throw new IllegalArgumentException("the direct variant has no proxy");
            case DICOMLB -> startDicomlb(scenario, route);
            case HAPROXY -> startHaproxy(scenario, route);
            case NETTY_RELAY -> startFloor(variant, "netty-relay", layout.nettyRelay(), NettyRelay::command, scenario, route);
            case NETTY_HTTP -> startFloor(variant, "netty-http", layout.nettyHttp(), NettyHttpFloor::command, scenario, route);
            case GDNSD, NETTY_UDP -> throw new IllegalArgumentException(variant.label() + " is started by the DNS scenario, not for a route");
        };
    }

    private Server startDicomlb(String scenario, Route route) throws IOException, InterruptedException {
        Server server = startDicomlb(scenario, ProxyConfigs.dicomlbYaml(scenario, route, layout.dicomlb(), layout.dicomlbAdmin()),
                layout.dicomlb().getPort());
        if (!(route.dicomlbCheck() instanceof DicomlbCheck.DicomEcho)) {
            // A TCP connect check passes at once; asking the admin API would load code into
            // dicomlb (JSON, HTTP) that the memory scenario would then count as its own.
            return server;
        }
        try {
            DicomlbAdmin.awaitBackendsUp(layout.dicomlbAdmin(), START_TIMEOUT);
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Starts {@code ./dicomlb run} from {@code yaml} (written next to the results) with the run's
     * I/O threads and options, and waits until it listens on TCP port {@code readyPort}.
     */
    public Server startDicomlb(String scenario, String yaml, int readyPort) throws IOException, InterruptedException {
        Path cfg = write(scenario + "-dicomlb.yaml", yaml);
        List<String> cmd = new ArrayList<>(List.of(dicomlb.launcher().toString(), "run", "-c", cfg.toString(),
                "--io-threads", Integer.toString(dicomlb.ioThreads()),
                "--access-log", scratch.resolve(scenario + "-dicomlb-access.log").toString(),
                // Stopping must finish within the harness's SIGTERM grace (then SIGKILL), so that
                // a flight recording requested with --dicomlb-jvm-opt is written on exit.
                "--shutdown-grace", "1s"));
        cmd.addAll(dicomlb.runArguments());
        Map<String, String> env = Map.of(
                // The harness built the distribution once at the start; never rebuild mid-run.
                "DICOMLB_NO_BUILD", "1",
                "DICOMLB_JAVA_OPTS", String.join(" ", dicomlb.jvmOptions()));
        return children.start("dicomlb", cmd, env, logDir.resolve(scenario + "-dicomlb.log"))
                .readyOn(readyPort, START_TIMEOUT);
    }

    /** The directory generated configurations go to (kept with the results). */
    public Path configDir() {
        return configDir;
    }

    private Server startHaproxy(String scenario, Route route) throws IOException, InterruptedException {
        // HAProxy's threads bound as dicomlb's are (cpu-map), so that neither has the kernel's
        // placement to thank or blame for a difference.
        List<Integer> cpus = dicomlb.bindsIoThreads() ? ProxyConfigs.bindableCpus(dicomlb.ioThreads()) : List.of();
        Path cfg = write(scenario + "-haproxy.cfg", ProxyConfigs.haproxyCfg(scenario, route, layout.haproxy(), dicomlb.ioThreads(),
                OpenFiles.limit(), cpus));
        // -db: stay in the foreground (our child, killed with the harness); -W would fork a master.
        List<String> cmd = List.of("haproxy", "-db", "-f", cfg.toString());
        // HAProxy's access log goes to stdout; keep it out of the results directory, like dicomlb's.
        return children.start("haproxy", cmd, Map.of(), scratch.resolve(scenario + "-haproxy.log"))
                .readyOn(layout.haproxy().getPort(), START_TIMEOUT);
    }

    /** A proxy floor's command from its listen address to a backend, with so many event loops. */
    private interface FloorCommand {
        List<String> of(InetSocketAddress listen, InetSocketAddress backend, int threads);
    }

    /**
     * A proxy floor ({@code variant}, its process named {@code name}) on {@code listen} to the
     * route's one backend, with as many event loops as dicomlb has I/O threads.
     */
    private Server startFloor(Variant variant, String name, InetSocketAddress listen, FloorCommand command, String scenario,
                              Route route) throws IOException, InterruptedException {
        if (route.backends().size() != 1) {
            throw new IllegalArgumentException("the " + variant.label() + " forwards to one backend; " + scenario + " has "
                    + route.backends().size());
        }
        List<String> cmd = command.of(listen, route.backends().getFirst(), dicomlb.ioThreads());
        return children.start(name, cmd, Map.of(), logDir.resolve(scenario + "-" + name + ".log"))
                .readyOn(listen.getPort(), START_TIMEOUT);
    }

    private Path write(String name, String content) throws IOException {
        Files.createDirectories(configDir);
        Path p = configDir.resolve(name);
        Files.writeString(p, content);
        return p;
    }
}
