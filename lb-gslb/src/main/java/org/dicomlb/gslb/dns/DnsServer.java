package org.dicomlb.gslb.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.dicomlb.gslb.config.Limits;
import org.dicomlb.io.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The responder's sockets: one UDP channel and one TCP listener on the same address, on the
 * appliance's event loops. UDP queries are answered on the channel's loop and flushed once per
 * read batch; TCP connections carry length-prefixed messages (RFC 1035 4.2.2, several per
 * connection), are bounded in number and closed when idle, and stop reading while the client
 * does not take its responses.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    /** Bytes a TCP client may leave unread before we stop reading its queries. */
    private static final WriteBufferWaterMark TCP_WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

    /**
     * The largest UDP query read whole; anything longer is cut (and answered FORMERR). Queries are
     * a name and a few small records: far below this. Kept small because the receive buffer of
     * UDP_BATCH of these is allocated per read, and a large one (128 KiB) left the pooling
     * allocator and was zeroed on every read: a tenth of the GSLB's CPU under load.
     */
    static final int UDP_MAX_QUERY = 1024;
    /** Datagrams read per recvmmsg call. */
    static final int UDP_BATCH = 16;

    /** A response buffer's first size: the classic UDP limit, which nearly every answer fits (it grows for the rest). */
    static final int RESPONSE_INITIAL = 512;

    /** More sockets than this gain nothing but memory. */
    static final int MAX_UDP_SOCKETS = 16;

    private final List<Channel> udp;
    private final Channel tcp;
    private final AtomicInteger tcpOpen;

    private DnsServer(List<Channel> udp, Channel tcp, AtomicInteger tcpOpen) {
        this.udp = udp;
        this.tcp = tcp;
        this.tcpOpen = tcpOpen;
    }

    /**
     * Binds UDP and TCP on {@code address}; both or neither (a failure closes what was bound).
     * Blocks until bound, so never call it on an event loop.
     *
     * @throws BindException naming the address and the system's reason
     */
    public static DnsServer bind(InetSocketAddress address, EventLoopGroup group, Transport transport, Responder responder,
                                 Supplier<Limits> limits, DnsMetrics metrics) throws BindException {
        AtomicInteger open = new AtomicInteger();
        // With epoll, one UDP socket per event loop (SO_REUSEPORT; the kernel spreads clients over
        // them by address and port), so every loop answers queries: a single UDP socket is read by
        // one thread only. Authoritative servers (gdnsd, Knot, Unbound) do the same. With NIO, one.
        int sockets = transport == Transport.EPOLL ? loops(group) : 1;
        List<Channel> udp = new ArrayList<>();
        InetSocketAddress bound = address;
        for (int i = 0; i < sockets; i++) {
            Bootstrap b = new Bootstrap().group(group).channel(transport.datagramChannelClass())
                    .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                    .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                    .handler(new UdpHandler(responder, limits, metrics, sockets));
            if (transport == Transport.EPOLL) {
                // recvmmsg: up to UDP_BATCH queries per system call (a query over UDP_MAX_QUERY bytes is cut
                // and gets FORMERR; real ones are far smaller). Responses flushed together go out with sendmmsg.
                b.option(EpollChannelOption.SO_REUSEPORT, sockets > 1)
                        .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, UDP_MAX_QUERY)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_MAX_QUERY * UDP_BATCH));
            }
            ChannelFuture u = b.bind(bound).awaitUninterruptibly();
            if (!u.isSuccess()) {
                udp.forEach(c -> c.close().awaitUninterruptibly());
                throw new BindException("cannot bind the GSLB's UDP socket on " + describe(bound) + ": " + reason(u.cause()), u.cause());
            }
            udp.add(u.channel());
            // The same port for every socket and for TCP, also when the caller asked for port 0.
            bound = (InetSocketAddress) u.channel().localAddress();
        }
        ChannelFuture t = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TCP_WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Limits l = limits.get();
                        if (open.incrementAndGet() > l.tcpConnections()) {
                            open.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, l.tcpIdle().toMillis(), TimeUnit.MILLISECONDS),
                                new LengthFieldBasedFrameDecoder(Responder.TCP_MAX, 0, 2, 0, 2),
                                new TcpHandler(responder));
                    }
                })
                .bind(bound).awaitUninterruptibly();
        if (!t.isSuccess()) {
            udp.forEach(c -> c.close().awaitUninterruptibly());
            throw new BindException("cannot bind the GSLB's TCP socket on " + describe(bound) + ": " + reason(t.cause()), t.cause());
        }
        log.info("GSLB answering DNS on {} (udp: {} socket{}, and tcp)", describe(bound), sockets, sockets == 1 ? "" : "s");
        return new DnsServer(List.copyOf(udp), t.channel(), open);
    }

    private static int loops(EventLoopGroup group) {
        int n = 0;
        for (var ignored : group) {
            n++;
        }
        return Math.max(1, Math.min(n, MAX_UDP_SOCKETS));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) udp.getFirst().localAddress();
    }

    /** Open TCP connections now. */
    public int tcpConnections() {
        return tcpOpen.get();
    }

    /** Stops answering; open TCP connections finish their current query and close. */
    @Override
    public void close() {
        udp.forEach(c -> c.close().awaitUninterruptibly(2, TimeUnit.SECONDS));
        tcp.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    private static String describe(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static String reason(Throwable t) {
        return t == null ? "unknown" : t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** The listen address could not be bound; nothing of this server is left open. */
    public static final class BindException extends Exception {
        BindException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Responder responder;
        private final Supplier<Limits> limits;
        private final DnsMetrics metrics;
        private final RateLimiter limiter = new RateLimiter();
        private final int shareOf;
        private boolean pending;

        /** @param shareOf the number of sockets: each enforces that share of the rate limit */
        UdpHandler(Responder responder, Supplier<Limits> limits, DnsMetrics metrics, int shareOf) {
            this.responder = responder;
            this.limits = limits;
            this.metrics = metrics;
            this.shareOf = shareOf;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf query = packet.content();
            InetSocketAddress sender = packet.sender();
            switch (limiter.check(sender.getAddress(), limits.get().rateLimit(), shareOf, System.nanoTime())) {
                case ANSWER -> {
                    // A pooled direct buffer: the native transport would copy a heap one anyway.
                    ByteBuf out = ctx.alloc().directBuffer(RESPONSE_INITIAL);
                    if (responder.respond(query, sender.getAddress(), false, out)) {
                        send(ctx, out, sender);
                    } else {
                        out.release();
                    }
                }
                case SLIP -> {
                    metrics.rateLimited(true);
                    byte[] truncated = responder.truncated(ByteBufUtil.getBytes(query));
                    if (truncated != null) {
                        send(ctx, ctx.alloc().directBuffer(truncated.length).writeBytes(truncated), sender);
                    }
                }
                default -> metrics.rateLimited(false);
            }
        }

        private void send(ChannelHandlerContext ctx, ByteBuf response, InetSocketAddress to) {
            ctx.write(new DatagramPacket(response, to), ctx.voidPromise());
            pending = true;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pending) {
                pending = false;
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A UDP socket is shared by every client: one bad datagram (or an ICMP error surfacing
            // as an exception) must not close it. Log and keep serving.
            log.debug("GSLB UDP: {}", cause.toString());
        }
    }

    private static final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final Responder responder;

        TcpHandler(Responder responder) {
            this.responder = responder;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
            ByteBuf out = ctx.alloc().buffer(2 + RESPONSE_INITIAL);
            out.writeShort(0); // the length, once known
            if (!responder.respond(frame, peer.getAddress(), true, out)) {
                // Not a query at all: a TCP client has no business sending it.
                out.release();
                ctx.close();
                return;
            }
            out.setShort(0, out.readableBytes() - 2);
            ctx.writeAndFlush(out);
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("GSLB TCP connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
