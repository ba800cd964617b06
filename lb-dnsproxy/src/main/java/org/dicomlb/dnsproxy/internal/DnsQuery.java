package org.dicomlb.dnsproxy.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.dicomlb.config.Durations;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.io.Transport;
import org.xbill.DNS.Message;

/**
 * One question to one resolver: over UDP, and over TCP when the UDP answer is truncated. Runs
 * entirely on one event loop (create, and call {@link #cancel()}, on that loop); calls
 * {@code done} exactly once, on that loop, unless cancelled. Each attempt (UDP, then TCP) is
 * bounded by the timeout; a datagram from the resolver that does not answer our question (wrong
 * id or question) is ignored and the wait goes on.
 */
public final class DnsQuery {
    /**
     * Receive buffer per UDP response. We advertise {@link Answers#EDNS_UDP_PAYLOAD}; a larger
     * datagram is cut by the kernel, does not parse, and is treated as a failure of the resolver.
     */
    static final int MAX_UDP_RESPONSE = 4096;
    /** A TCP response is at most 65535 bytes by its length prefix. */
    static final int MAX_TCP_RESPONSE = 65535;

    /** Told about each attempt: protocol ({@code udp}, {@code tcp}) and result tag, for metrics. */
    public interface Observer {
        void attempted(String protocol, String result);
    }

    private final EventLoop loop;
    private final Transport transport;
    private final InetSocketAddress resolver;
    private final Message query;
    private final byte[] wire;
    private final Duration timeout;
    private final Observer observer;
    private final Consumer<QueryResult> done;
    private Channel channel;
    private ScheduledFuture<?> timer;
    private boolean finished;
    private String protocol = "udp";

    private DnsQuery(EventLoop loop, Transport transport, InetSocketAddress resolver, Message query, Duration timeout,
                     Observer observer, Consumer<QueryResult> done) {
        this.loop = loop;
        this.transport = transport;
        this.resolver = resolver;
        this.query = query;
        this.wire = query.toWire();
        this.timeout = timeout;
        this.observer = observer;
        this.done = done;
    }

    /**
     * Sends {@code query} to {@code resolver} from the next turn of {@code loop} (call on it), so
     * that {@code done} is never called before this returns, even when sending fails at once.
     */
    public static DnsQuery start(EventLoop loop, Transport transport, InetSocketAddress resolver, Message query,
                                 Duration timeout, Observer observer, Consumer<QueryResult> done) {
        DnsQuery q = new DnsQuery(loop, transport, resolver, query, timeout, observer, done);
        loop.execute(() -> {
            if (!q.finished) {
                q.udp();
            }
        });
        return q;
    }

    /** Stops waiting and releases the socket; {@code done} is not called. */
    public void cancel() {
        if (!finished) {
            finished = true;
            release();
        }
    }

    private void udp() {
        armTimer();
        ChannelFuture f = new Bootstrap().group(loop).channel(transport.datagramChannelClass())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_UDP_RESPONSE))
                .handler(new UdpHandler())
                .connect(resolver);
        channel = f.channel();
        f.addListener((ChannelFuture cf) -> {
            if (finished) {
                return;
            }
            if (!cf.isSuccess()) {
                fail("cannot send to it (" + cf.cause().getMessage() + ")");
                return;
            }
            cf.channel().writeAndFlush(Unpooled.wrappedBuffer(wire)).addListener((ChannelFuture wf) -> {
                if (!wf.isSuccess()) {
                    fail("cannot send to it (" + wf.cause().getMessage() + ")");
                }
            });
        });
    }

    private void tcp() {
        protocol = "tcp";
        armTimer();
        ChannelFuture f = new Bootstrap().group(loop).channel(transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_TCP_RESPONSE + 2, 0, 2, 0, 2), new TcpHandler());
                    }
                })
                .connect(resolver);
        channel = f.channel();
        f.addListener((ChannelFuture cf) -> {
            if (finished) {
                return;
            }
            if (!cf.isSuccess()) {
                fail("TCP connection failed (" + cf.cause().getMessage() + ")");
                return;
            }
            ByteBuf out = cf.channel().alloc().buffer(2 + wire.length);
            out.writeShort(wire.length).writeBytes(wire);
            cf.channel().writeAndFlush(out);
        });
    }

    private void armTimer() {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = loop.schedule(() -> {
            if (!finished) {
                observer.attempted(protocol, QueryResult.Kind.TIMEOUT.tag());
                finish(QueryResult.of(QueryResult.Kind.TIMEOUT, (protocol.equals("tcp") ? "timed out over TCP after "
                        : "timed out after ") + Durations.format(timeout)));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void received(byte[] bytes) {
        if (finished) {
            return;
        }
        boolean overTcp = protocol.equals("tcp");
        switch (Answers.read(query, bytes, overTcp)) {
            case Answers.Reading.Ignore ignore -> {
                if (overTcp) {
                    // Our own connection: nothing else can be on it, so a wrong answer is the resolver's fault.
                    fail(ignore.why());
                }
            }
            case Answers.Reading.Truncated t -> {
                observer.attempted("udp", "truncated");
                release();
                tcp();
            }
            case Answers.Reading.Done d -> {
                observer.attempted(protocol, d.result().kind().tag());
                finish(d.result());
            }
        }
    }

    private void fail(String why) {
        if (finished) {
            return;
        }
        observer.attempted(protocol, QueryResult.Kind.ERROR.tag());
        finish(QueryResult.of(QueryResult.Kind.ERROR, why));
    }

    private void finish(QueryResult result) {
        finished = true;
        release();
        done.accept(result);
    }

    private void release() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public String toString() {
        return "query " + query.getQuestion() + " to " + SocketAddresses.format(resolver);
    }

    private final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            // The channel is connected, so the kernel delivers only the resolver's datagrams.
            received(ByteBufUtil.getBytes(packet.content()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof PortUnreachableException) {
                // ICMP port unreachable: nothing listens there; fail now instead of waiting for the timeout.
                fail("port unreachable (nothing listens there)");
            } else {
                fail("UDP error (" + cause.getMessage() + ")");
            }
            ctx.close();
        }
    }

    private final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            received(ByteBufUtil.getBytes(frame));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail("closed the TCP connection without an answer");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail("TCP error (" + cause.getMessage() + ")");
            ctx.close();
        }
    }
}
