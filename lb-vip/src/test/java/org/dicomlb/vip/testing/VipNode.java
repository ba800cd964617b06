package org.dicomlb.vip.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dicomlb.config.ConfigException;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.io.Transport;
import org.dicomlb.vip.ServingView;
import org.dicomlb.vip.VipRuntime;
import org.dicomlb.vip.VipStatus;
import org.dicomlb.vip.config.VipConfig;
import org.dicomlb.vip.config.VipConfigReader;
import org.dicomlb.vip.internal.AtomicFiles;

/**
 * A stand-in appliance for the namespace tests: runs {@link VipRuntime} from a YAML file, as
 * {@code dicomlb run} will, in whatever network namespace it was started in.
 *
 * <ul>
 *   <li>The world it tracks has one pool {@code archive} and one listener {@code dicom}; a control
 *       file the test writes decides whether they serve and whether the node is demoted
 *       ({@code pool-down}, {@code listener-down}, {@code demote}, one word a line).</li>
 *   <li>It serves a banner (its name) on VIP:port through a listener bound with IP_FREEBIND and
 *       IP_TRANSPARENT before the VIP exists, as the engine's listeners on a VIP do, and echoes
 *       what it receives.</li>
 *   <li>It writes its {@link VipStatus} to a status file on every change.</li>
 *   <li>SIGTERM runs {@link VipRuntime#close()} (a shutdown hook), as dicomlb's own shutdown will.</li>
 * </ul>
 *
 * Arguments: CONFIG RUNTIME_DIR CONTROL_FILE STATUS_FILE NAME BANNER_PORT
 */
public final class VipNode {
    private VipNode() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        Path runtimeDir = Path.of(args[1]);
        Path control = Path.of(args[2]);
        Path statusFile = Path.of(args[3]);
        String name = args[4];
        int port = Integer.parseInt(args[5]);

        VipConfig vip;
        try {
            Problems problems = new Problems();
            Section root = Section.of(YamlTree.load(config), problems, "the configuration").orElseThrow();
            vip = root.section("vip").map(s -> VipConfigReader.read(s, Set.of("archive"), Set.of("dicom"))).orElse(null);
            root.finish();
            problems.throwIfAny();
        } catch (ConfigException e) {
            e.errors().forEach(err -> System.out.println("config error: " + err));
            System.exit(2);
            return;
        }

        Fake fake = new Fake();
        fake.read(control);
        VipRuntime runtime = new VipRuntime(fake, new SimpleMeterRegistry(), VipRuntime.Options.defaults(runtimeDir, config.toString()));
        EventLoopGroup group = Transport.EPOLL.newGroup(1, "banner");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println(name + ": stopping");
            runtime.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            System.out.println(name + ": stopped");
        }));

        InetAddress address = vip.addresses().getFirst().address();
        Channel banner = new ServerBootstrap().group(group).channel(Transport.EPOLL.serverChannelClass())
                // The VIP is not on this host yet (and may never be): bind it anyway, as the engine does.
                .option(EpollChannelOption.IP_FREEBIND, true)
                .option(EpollChannelOption.IP_TRANSPARENT, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(Unpooled.copiedBuffer(name + "\n", StandardCharsets.US_ASCII));
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                }).bind(new InetSocketAddress(address, port)).sync().channel();
        System.out.println(name + ": banner bound to " + banner.localAddress() + " before the VIP is here");

        try {
            runtime.apply(vip).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            System.out.println(name + ": apply failed: " + e.getCause().getMessage());
            System.exit(3);
        }
        String last = "";
        long controlStamp = -1;
        while (true) {
            long stamp = Files.exists(control) ? Files.getLastModifiedTime(control).toMillis() ^ Files.size(control) : 0;
            if (stamp != controlStamp) {
                controlStamp = stamp;
                boolean wasDemoted = fake.demoted;
                fake.read(control);
                if (fake.demoted != wasDemoted) {
                    runtime.demote(fake.demoted).get(10, TimeUnit.SECONDS);
                }
                runtime.servingChanged();
            }
            String now = describe(runtime.status());
            if (!now.equals(last)) {
                AtomicFiles.write(statusFile, now + "\n");
                last = now;
            }
            Thread.sleep(Duration.ofMillis(20));
        }
    }

    /** key=value pairs the test reads back. */
    static String describe(VipStatus s) {
        return "state=" + s.state() + " priority=" + s.effectivePriority() + " serving=" + s.serving() + " demoted=" + s.demoted()
                + " pid=" + s.keepalivedPid() + " restarts=" + s.keepalivedRestarts()
                + " reasons=" + String.join(";", s.notServingBecause()).replace(' ', '_');
    }

    /** The fake engine: what the control file says. */
    static final class Fake implements ServingView {
        private volatile Set<String> words = Set.of();
        volatile boolean demoted;

        void read(Path control) throws java.io.IOException {
            Set<String> w = new HashSet<>();
            if (Files.exists(control)) {
                for (String line : Files.readAllLines(control)) {
                    if (!line.isBlank()) {
                        w.add(line.strip());
                    }
                }
            }
            words = Set.copyOf(w);
            demoted = w.contains("demote");
        }

        @Override
        public boolean listenerBound(String listener) {
            return listener.equals("dicom") && !words.contains("listener-down");
        }

        @Override
        public boolean poolServable(String pool) {
            return pool.equals("archive") && !words.contains("pool-down");
        }
    }
}
