package org.dicomlb.healthcheck;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * The checker's own event loops and the matching channel class (epoll or NIO). Checks open every
 * connection through here, never on the proxy's loops, so a slow backend cannot delay relayed
 * traffic and a burst of relayed traffic cannot delay a probe.
 */
public record ProbeTransport(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
    public ProbeTransport {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(channelType, "channelType");
    }

    /** A client bootstrap whose connect attempt gives up after {@code connectTimeout}; add a handler. */
    public Bootstrap bootstrap(Duration connectTimeout) {
        int millis = (int) Math.clamp(connectTimeout.toMillis(), 1L, Integer.MAX_VALUE);
        return new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis)
                .option(ChannelOption.TCP_NODELAY, true);
    }
}
