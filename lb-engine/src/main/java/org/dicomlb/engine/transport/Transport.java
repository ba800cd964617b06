package org.dicomlb.engine.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's event loop group and the channel classes that go with it: native epoll on Linux,
 * NIO anywhere else (or when the native library cannot load). The choice itself is lb-dicom's
 * {@link org.dicomlb.dicom.netty.Transport}, shared by every module that opens sockets. Proxy halves share one event loop, so a connection's frontend and backend channels must
 * come from the same transport.
 */
public final class Transport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    private final EventLoopGroup group;
    private final boolean epoll;

    private Transport(EventLoopGroup group, boolean epoll) {
        this.group = group;
        this.epoll = epoll;
    }

    /**
     * Creates a group of {@code threads} event loops (0 = one per core). {@code preferEpoll} false
     * forces NIO, for comparison runs.
     */
    public static Transport create(String name, int threads, boolean preferEpoll) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        org.dicomlb.dicom.netty.Transport kind = preferEpoll ? org.dicomlb.dicom.netty.Transport.best()
                : org.dicomlb.dicom.netty.Transport.NIO;
        if (preferEpoll && kind != org.dicomlb.dicom.netty.Transport.EPOLL) {
            LOG.warn("native epoll unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
        }
        return new Transport(kind.newGroup(n, name), kind == org.dicomlb.dicom.netty.Transport.EPOLL);
    }

    public EventLoopGroup group() {
        return group;
    }

    public boolean isEpoll() {
        return epoll;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends Channel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The socket channel class matching an existing channel, so a peer can share its loop. */
    public static Class<? extends Channel> socketChannelLike(Channel channel) {
        return channel instanceof EpollSocketChannel ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public String describe() {
        return epoll ? "epoll" : "nio";
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
