package org.dicomlb.io;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The socket transport: native epoll where it loads (Linux), NIO elsewhere. A group and the
 * channel classes used on it must come from the same constant. This is the only place in dicomlb
 * that chooses between them.
 */
public enum Transport {
    EPOLL(EpollSocketChannel.class, EpollServerSocketChannel.class, EpollDatagramChannel.class),
    NIO(NioSocketChannel.class, NioServerSocketChannel.class, NioDatagramChannel.class);

    private final Class<? extends SocketChannel> socketChannelClass;
    private final Class<? extends ServerSocketChannel> serverChannelClass;
    private final Class<? extends DatagramChannel> datagramChannelClass;

    Transport(Class<? extends SocketChannel> socket, Class<? extends ServerSocketChannel> server,
              Class<? extends DatagramChannel> datagram) {
        this.socketChannelClass = socket;
        this.serverChannelClass = server;
        this.datagramChannelClass = datagram;
    }

    /** Epoll when its native library loads, otherwise NIO. */
    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** Why epoll is not used, for a startup warning; empty text when it is available. */
    public static String epollUnavailableBecause() {
        return Epoll.isAvailable() ? "" : String.valueOf(Epoll.unavailabilityCause());
    }

    /** The transport an existing channel was made with, so a peer channel can share its loop. */
    public static Transport of(Channel channel) {
        return channel instanceof EpollSocketChannel || channel instanceof EpollServerSocketChannel
                || channel instanceof EpollDatagramChannel ? EPOLL : NIO;
    }

    /** A group of daemon threads named {@code name-N}; the caller shuts it down. */
    public EventLoopGroup newGroup(int threads, String name) {
        return newGroup(threads, new DefaultThreadFactory(name, true));
    }

    /**
     * A group whose threads are each bound to one of {@code cpus}: the first thread started to the
     * first CPU, the next to the next, round the list. A thread the kernel refuses to bind runs
     * where the kernel places it; {@code refused} hears why, from that thread.
     */
    public EventLoopGroup newGroup(int threads, String name, List<Integer> cpus, Consumer<String> refused) {
        List<Integer> to = List.copyOf(cpus);
        if (to.isEmpty()) {
            throw new IllegalArgumentException("no CPUs to bind to");
        }
        AtomicInteger started = new AtomicInteger();
        return newGroup(threads, new DefaultThreadFactory(name, true) {
            @Override
            public Thread newThread(Runnable r) {
                int cpu = to.get(started.getAndIncrement() % to.size());
                return super.newThread(() -> {
                    try {
                        CpuAffinity.bindCurrentThread(cpu);
                    } catch (IllegalStateException e) {
                        refused.accept(Thread.currentThread().getName() + ": " + e.getMessage());
                    }
                    r.run();
                });
            }
        });
    }

    private EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, factory);
    }

    public Class<? extends SocketChannel> socketChannelClass() {
        return socketChannelClass;
    }

    /**
     * Makes client sockets; {@code ipv4} when they will only connect to (and bind) IPv4 addresses.
     * On epoll those get an IPv4 socket: Netty's default is a dual-stack IPv6 socket, which costs
     * a setsockopt (IPV6_V6ONLY off) per connection and carries the address as v4-mapped.
     */
    public ChannelFactory<SocketChannel> socketChannelFactory(boolean ipv4) {
        if (this == EPOLL && ipv4) {
            return () -> new EpollSocketChannel(SocketProtocolFamily.INET);
        }
        return this == EPOLL ? EpollSocketChannel::new : NioSocketChannel::new;
    }

    public Class<? extends ServerSocketChannel> serverChannelClass() {
        return serverChannelClass;
    }

    public Class<? extends DatagramChannel> datagramChannelClass() {
        return datagramChannelClass;
    }
}
