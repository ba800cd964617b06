package org.dicomlb.harness.bench.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dicomlb.harness.soak.DicomlbStart;

/**
 * What the floors ({@link NettyRelay}, {@link NettyUdpFloor}, {@link NettyHttpFloor}) share: the JVM
 * they run in, started with dicomlb's launcher settings ({@link DicomlbStart#LAUNCHER_JVM}) so that
 * it differs from dicomlb's only in the code it runs, and their epoll event loops.
 */
final class FloorJvm {
    private FloorJvm() {
    }

    /**
     * {@code main} with {@code args} in a JVM with the launcher's settings, on this JVM's java and
     * class path (absolute, so the working directory does not matter).
     */
    static List<String> command(Class<?> main, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the harness"));
        String classPath = String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .toList());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(DicomlbStart.LAUNCHER_JVM);
        cmd.addAll(List.of("-cp", classPath, main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** How a proxy floor binds: on {@code group}, from {@code listen} to {@code backend}; the listening channel. */
    interface ProxyFloor {
        Channel start(EventLoopGroup group, InetSocketAddress listen, InetSocketAddress backend) throws InterruptedException;
    }

    /** A proxy floor's command: {@code main LISTEN_HOST LISTEN_PORT BACKEND_HOST BACKEND_PORT THREADS} ({@link #command}). */
    static List<String> proxyCommand(Class<?> main, InetSocketAddress listen, InetSocketAddress backend, int threads) {
        return command(main, listen.getHostString(), Integer.toString(listen.getPort()),
                backend.getHostString(), Integer.toString(backend.getPort()), Integer.toString(threads));
    }

    /**
     * A proxy floor's {@code main}: reads the five arguments of {@link #proxyCommand}, binds on
     * event loops named {@code ioThreads}N-M, says {@code "<saying> LISTEN -> BACKEND"} on stdout
     * (the harness and the tests wait for it) and runs until it is killed.
     */
    static void runProxy(Class<?> main, String[] args, String ioThreads, ProxyFloor floor, String saying)
            throws InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: " + main.getSimpleName() + " LISTEN_HOST LISTEN_PORT BACKEND_HOST BACKEND_PORT THREADS");
            System.exit(2);
        }
        InetSocketAddress listen = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        InetSocketAddress backend = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
        Channel server = floor.start(eventLoops(ioThreads, Integer.parseInt(args[4])), listen, backend);
        System.out.println(saying + " " + server.localAddress() + " -> " + backend);
        server.closeFuture().sync();
    }

    /**
     * In a floor's own process: {@code threads} epoll event loops named {@code ioThreads}N-M. Netty
     * logs through the JDK rather than the harness's logback: nothing to configure, and none of its
     * classes in the footprint a floor stands for; it speaks up only on warnings.
     */
    static EventLoopGroup eventLoops(String ioThreads, int threads) {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        Epoll.ensureAvailability();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(ioThreads.substring(0, ioThreads.length() - 1)),
                EpollIoHandler.newFactory());
    }
}
