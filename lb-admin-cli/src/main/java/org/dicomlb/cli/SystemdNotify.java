package org.dicomlb.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.dicomlb.io.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The systemd readiness protocol ({@code sd_notify}): under a {@code Type=notify} unit, systemd
 * sets {@code NOTIFY_SOCKET} to a Unix datagram socket and waits for {@code READY=1} before it
 * considers the service started. The JDK has no Unix datagram sockets, so the message goes out
 * through Netty's native epoll transport, from this process itself: systemd then accepts it
 * under {@code NotifyAccess=main}, with no helper process whose exit could race the message.
 * Without {@code NOTIFY_SOCKET} (not under systemd) every call does nothing.
 */
final class SystemdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);

    private SystemdNotify() {
    }

    /** The listeners are bound and the admin API serves: systemd may start what comes after. */
    static void ready() {
        send("READY=1\nSTATUS=running\nMAINPID=" + ProcessHandle.current().pid() + "\n");
    }

    /** Draining for shutdown: systemd shows the unit as deactivating, not failed. */
    static void stopping() {
        send("STOPPING=1\nSTATUS=draining\n");
    }

    private static void send(String message) {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return;
        }
        if (!Epoll.isAvailable()) {
            LOG.warn("cannot tell systemd '{}': Unix datagram sockets need the native epoll transport ({})",
                    message.lines().findFirst().orElse(""), Transport.epollUnavailableBecause());
            return;
        }
        // An abstract socket is written "@name"; on the wire its name starts with a NUL byte.
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        // One short-lived loop for one datagram, at start and at shutdown only: the appliance's
        // own loops are not ours to borrow from here, and may be NIO.
        EventLoopGroup group = Transport.EPOLL.newGroup(1, "dicomlb-notify");
        try {
            Channel ch = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                    .handler(new ChannelHandlerAdapter() { })
                    .register().syncUninterruptibly().channel();
            var sent = ch.writeAndFlush(new DomainDatagramPacket(
                    Unpooled.copiedBuffer(message, StandardCharsets.UTF_8), new DomainSocketAddress(path)));
            if (!sent.awaitUninterruptibly(5, TimeUnit.SECONDS) || !sent.isSuccess()) {
                LOG.warn("could not tell systemd '{}' on {}: {}", message.lines().findFirst().orElse(""), socket,
                        sent.cause() == null ? "timed out" : sent.cause().toString());
            }
            ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            LOG.warn("could not tell systemd '{}' on {}: {}", message.lines().findFirst().orElse(""), socket, e.toString());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
