package org.dicomlb.healthcheck.bench;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.scp.ScpConfig;
import org.dicomlb.dicom.scp.ScpListener;
import org.dicomlb.dicom.scp.SimulatedScp;
import org.dicomlb.healthcheck.CheckTarget;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.HealthState;
import org.dicomlb.healthcheck.Quiet;
import org.dicomlb.healthcheck.config.DicomEchoProbe;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.PassiveConfig;
import org.dicomlb.healthcheck.config.ProbeConfig;
import org.dicomlb.healthcheck.config.TcpProbe;
import org.dicomlb.io.Transport;

/**
 * How much CPU checking a thousand endpoints every second costs. Not a test: run by hand (see the
 * module README). Starts {@code endpoints} loopback listeners (127.0.1.1, 127.0.1.2, ... on one
 * port, all in one Netty server group): bare TCP listeners for the {@code tcp} check, simulated
 * DICOM SCPs (lb-dicom) for {@code dicom-echo}, where every check is a whole association (connect,
 * A-ASSOCIATE, C-ECHO, release). Checks each every {@code interval} and after a warm-up prints
 * the CPU time of the checker's threads, of the servers and of the process.
 *
 * <p>Arguments: {@code [endpoints=1000] [seconds=30] [interval-ms=1000] [warmup-seconds=5] [check=tcp|dicom-echo]}.
 */
public final class CheckerCpuBenchmark {
    private static final AeTitle BENCH_AE = AeTitle.of("BENCH");

    private CheckerCpuBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int endpoints = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        long intervalMs = args.length > 2 ? Long.parseLong(args[2]) : 1000;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        String check = args.length > 4 ? args[4] : "tcp";
        if (endpoints < 1 || endpoints > 250 * 250 || seconds < 1 || seconds > 600 || warmup > 120) {
            throw new IllegalArgumentException("endpoints 1..62500, seconds 1..600, warm-up at most 120 s");
        }
        boolean dicom = switch (check) {
            case "tcp" -> false;
            case "dicom-echo" -> true;
            default -> throw new IllegalArgumentException("check is tcp or dicom-echo, not " + check);
        };

        Transport transport = Transport.best();
        EventLoopGroup servers = transport.newGroup(1, "bench-server");
        Class<? extends ServerSocketChannel> serverChannel = transport.serverChannelClass();
        ServerBootstrap sb = new ServerBootstrap().group(servers).channel(serverChannel)
                .option(ChannelOption.SO_REUSEADDR, true).option(ChannelOption.SO_BACKLOG, 128)
                .childHandler(Quiet.INSTANCE);
        List<AutoCloseable> listeners = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        int port = 0;
        for (int i = 0; i < endpoints; i++) {
            InetSocketAddress a = address(i, port);
            if (dicom) {
                SimulatedScp scp = SimulatedScp.start(ScpConfig.of(BENCH_AE), a, ScpListener.NONE, servers, serverChannel);
                listeners.add(scp);
                a = scp.localAddress();
            } else {
                Channel ch = sb.bind(a).sync().channel();
                listeners.add(ch::close);
                a = (InetSocketAddress) ch.localAddress();
            }
            port = a.getPort();
            addresses.add(a);
        }

        Duration interval = Duration.ofMillis(intervalMs);
        ProbeConfig probe = dicom ? new DicomEchoProbe(DicomEchoProbe.DEFAULT_CALLING_AE, Optional.of(BENCH_AE)) : new TcpProbe();
        HealthCheckConfig config = new HealthCheckConfig(probe, interval, interval.dividedBy(2), interval,
                interval.dividedBy(2), 2, 3, 10, java.util.OptionalInt.empty(), java.util.Optional.empty(), PassiveConfig.OFF);
        List<CheckTarget> targets = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            targets.add(new CheckTarget("bench/e" + i, addresses.get(i), config));
        }

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(Locale.ROOT, "transport %s, %s check, %d endpoints on 127.0.x.y:%d, interval %d ms, warm-up %d s, measure %d s%n",
                transport.name().toLowerCase(Locale.ROOT), check, endpoints, port, intervalMs, warmup, seconds);
        try (HealthChecker checker = HealthChecker.builder().meterRegistry(registry).build()) {
            checker.update("test", targets).get(10, TimeUnit.SECONDS);
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));

            double checks0 = checks(registry);
            double failures0 = failures(registry);
            long checker0 = cpu(threads, "dicomlb-health");
            long checkerUser0 = user(threads, "dicomlb-health");
            long server0 = cpu(threads, "bench-server");
            long process0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long wall = System.nanoTime() - wall0;
            long process = os.getProcessCpuTime() - process0;
            long checkerCpu = cpu(threads, "dicomlb-health") - checker0;
            long checkerUser = user(threads, "dicomlb-health") - checkerUser0;
            long serverCpu = cpu(threads, "bench-server") - server0;
            double checks = checks(registry) - checks0;

            long up = checker.states().values().stream().filter(HealthState::serving).count();
            double failures = failures(registry) - failures0;
            var reasons = checker.states().values().stream().flatMap(st -> st.lastFailureReason().stream())
                    .collect(java.util.stream.Collectors.groupingBy(r -> r, java.util.TreeMap::new,
                            java.util.stream.Collectors.counting()));
            double wallS = wall / 1e9;
            System.out.printf(Locale.ROOT, "checks completed   %.0f (%.0f/s), endpoints serving %d/%d, failed or timed out %.0f%n",
                    checks, checks / wallS, up, endpoints, failures);
            if (!reasons.isEmpty()) {
                System.out.println("last failure reasons (whole run, endpoints per reason): " + reasons);
            }
            System.out.printf(Locale.ROOT, "checker threads    %.0f ms CPU = %.1f%% of one core, %.1f us per check%n",
                    checkerCpu / 1e6, 100.0 * checkerCpu / wall, checkerCpu / 1e3 / checks);
            System.out.printf(Locale.ROOT, "  of which         %.1f us user, %.1f us kernel (on loopback the TCP handshake runs in"
                    + " the connecting thread)%n",
                    checkerUser / 1e3 / checks, (checkerCpu - checkerUser) / 1e3 / checks);
            System.out.printf(Locale.ROOT, "loopback servers   %.0f ms CPU = %.1f%% of one core%n",
                    serverCpu / 1e6, 100.0 * serverCpu / wall);
            System.out.printf(Locale.ROOT, "whole process      %.0f ms CPU = %.1f%% of one core, %.1f us per check%n",
                    process / 1e6, 100.0 * process / wall, process / 1e3 / checks);
        } finally {
            for (AutoCloseable c : listeners) {
                c.close();
            }
            servers.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }

    /** 127.0.1.1, 127.0.1.2 ... 127.0.1.250, 127.0.2.1 ...: all on loopback, one port each. */
    private static InetSocketAddress address(int i, int port) {
        return new InetSocketAddress("127.0." + (1 + i / 250) + "." + (1 + i % 250), port);
    }

    private static double checks(SimpleMeterRegistry registry) {
        return registry.find("dicomlb.health.checks").counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double failures(SimpleMeterRegistry registry) {
        return registry.find("dicomlb.health.checks").counters().stream()
                .filter(c -> !"success".equals(c.getId().getTag("result"))).mapToDouble(Counter::count).sum();
    }

    /** CPU time of the live threads whose name starts with {@code prefix}. */
    private static long cpu(ThreadMXBean threads, String prefix) {
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, t);
            }
        }
        return total;
    }

    /** User-mode CPU time of the live threads whose name starts with {@code prefix}. */
    private static long user(ThreadMXBean threads, String prefix) {
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                total += Math.max(0, threads.getThreadUserTime(info.getThreadId()));
            }
        }
        return total;
    }

}
