package org.dicomlb.healthcheck;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * The checker's own event loops and the matching channel class (epoll or NIO). Checks open every
 * connection through here, never on the proxy's loops, so a slow backend cannot delay relayed
 * traffic and a burst of relayed traffic cannot delay a probe.
 */
public final class ProbeTransport {
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    /** Looked up once: a Bootstrap given only the class reflects on its constructor every time. */
    private final ChannelFactory<? extends SocketChannel> channels;

    /** Probes on {@code group}, a group of the appliance's {@link org.dicomlb.io.EventLoops}. */
    public static ProbeTransport on(org.dicomlb.io.EventLoops.Group group) {
        return new ProbeTransport(group.group(), group.transport().socketChannelClass());
    }

    /** A group of its own, for a checker used outside an appliance (tools, tests); the caller shuts it down. */
    public static ProbeTransport create(int threads, String threadPrefix) {
        org.dicomlb.io.Transport kind = org.dicomlb.io.Transport.best();
        return new ProbeTransport(kind.newGroup(threads, threadPrefix), kind.socketChannelClass());
    }

    public ProbeTransport(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
        this.group = Objects.requireNonNull(group, "group");
        this.channelType = Objects.requireNonNull(channelType, "channelType");
        this.channels = new ReflectiveChannelFactory<>(channelType);
    }

    public EventLoopGroup group() {
        return group;
    }

    public Class<? extends SocketChannel> channelType() {
        return channelType;
    }

    /**
     * A client bootstrap whose connect attempt gives up after {@code connectTimeout}; add a
     * handler. A configured bootstrap may connect any number of times.
     */
    public Bootstrap bootstrap(Duration connectTimeout) {
        int millis = (int) Math.clamp(connectTimeout.toMillis(), 1L, Integer.MAX_VALUE);
        return new Bootstrap()
                .group(group)
                .channelFactory(channels)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis)
                .option(ChannelOption.TCP_NODELAY, true);
    }
}
