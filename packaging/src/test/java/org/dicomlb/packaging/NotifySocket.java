package org.dicomlb.packaging;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dicomlb.io.EventLoops;

/**
 * What systemd listens on for a {@code Type=notify} service: a Unix datagram socket whose path
 * goes to the service in {@code NOTIFY_SOCKET}. Collects every message it receives.
 */
final class NotifySocket implements AutoCloseable {
    private final EventLoops loops = EventLoops.create(true);
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Channel channel;

    NotifySocket(Path path) {
        EventLoops.Group g = loops.group("notify", 1);
        channel = new Bootstrap().group(g.group()).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                        messages.add(p.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(path.toString())).syncUninterruptibly().channel();
    }

    /** The next message that contains {@code line} as one of its lines, waiting up to {@code timeout}. */
    String await(String line, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String m = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
            if (m == null) {
                throw new AssertionError("no '" + line + "' on the notify socket within " + timeout);
            }
            if (m.lines().anyMatch(line::equals)) {
                return m;
            }
        }
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        loops.close();
    }
}
