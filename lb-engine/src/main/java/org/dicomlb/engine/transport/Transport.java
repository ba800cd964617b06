package org.dicomlb.engine.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's event loop group and the channel classes that go with it: native epoll on Linux,
 * NIO anywhere else (or when the native library cannot load). The choice itself is lb-dicom's
 * {@link org.dicomlb.io.Transport}, shared by every module that opens sockets. Proxy
 * halves share one event loop, so a connection's frontend and backend channels must come from
 * the same transport.
 */
public final class Transport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    private final EventLoopGroup group;
    private final org.dicomlb.io.Transport kind;

    private Transport(EventLoopGroup group, org.dicomlb.io.Transport kind) {
        this.group = group;
        this.kind = kind;
    }

    /**
     * Creates a group of {@code threads} event loops (0 = one per core). {@code preferEpoll} false
     * forces NIO, for comparison runs.
     */
    public static Transport create(String name, int threads, boolean preferEpoll) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        org.dicomlb.io.Transport kind = preferEpoll ? org.dicomlb.io.Transport.best()
                : org.dicomlb.io.Transport.NIO;
        if (preferEpoll && kind != org.dicomlb.io.Transport.EPOLL) {
            LOG.warn("native epoll unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
        }
        return new Transport(kind.newGroup(n, name), kind);
    }

    public EventLoopGroup group() {
        return group;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return kind.serverChannelClass();
    }

    /** The socket channel class matching an existing channel, so a peer can share its loop. */
    public static Class<? extends Channel> socketChannelLike(Channel channel) {
        return channel instanceof EpollSocketChannel ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** epoll or nio, for the startup log. */
    public String describe() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
