package org.dicomlb.healthcheck.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.dicomlb.healthcheck.ProbeTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the checker's own event loop group: epoll on Linux when its native library loads, NIO otherwise. */
public final class IoGroups {
    private static final Logger log = LoggerFactory.getLogger(IoGroups.class);

    private IoGroups() {
    }

    public static ProbeTransport create(int threads, String threadPrefix) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends SocketChannel> channel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        if (!epoll) {
            log.debug("epoll unavailable ({}); health checks use NIO", String.valueOf(Epoll.unavailabilityCause()));
        }
        var group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, true), handlers);
        return new ProbeTransport(group, channel);
    }
}
