package org.dicomlb.engine.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;

/**
 * Connections the kernel holds for a listening socket, handshake done, that dicomlb has not
 * accepted yet. While a listener is at its {@code max-connections} it stops accepting, so this is
 * where its waiting clients are. Linux reports the number for a listening socket in
 * {@code tcp_info.tcpi_unacked} (what {@code ss -lnt} shows as Recv-Q); only the epoll transport
 * lets us ask for it.
 */
final class AcceptQueue {
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    /** Offset of tcpi_unacked: eight one-octet fields, then rto, ato, snd_mss, rcv_mss (u32 each). */
    private static final int TCPI_UNACKED = 24;
    private static final RawUnixChannelOption INFO = new RawUnixChannelOption("TCP_INFO", IPPROTO_TCP, TCP_INFO, 32);

    private AcceptQueue() {
    }

    /**
     * The accept queue's length now, or empty when it cannot be known (NIO transport, no socket
     * bound, or the socket closing while we ask). Any thread: one getsockopt on the listening socket.
     */
    static OptionalInt length(Channel server) {
        if (!(server instanceof EpollServerSocketChannel epoll) || !epoll.isOpen()) {
            return OptionalInt.empty();
        }
        try {
            ByteBuffer info = epoll.config().getOption(INFO).order(ByteOrder.nativeOrder());
            return info.limit() >= TCPI_UNACKED + 4 ? OptionalInt.of(info.getInt(TCPI_UNACKED)) : OptionalInt.empty();
        } catch (ChannelException e) {
            return OptionalInt.empty();
        }
    }
}
