package org.dicomlb.harness.bench.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS scenario's floor: the least a UDP responder on dicomlb's transport does, in a JVM with
 * the launcher's settings. Its sockets are set up as the GSLB's are (one {@code SO_REUSEPORT}
 * socket per event loop, batches of up to 16 queries per {@code recvmmsg}, responses flushed
 * together through {@code sendmmsg}), and it answers each query with the query itself turned into
 * an empty authoritative NOERROR response: the header's QR and AA bits set, RD kept, the question
 * echoed, no records. No parsing, zone, health, rate limiting, metrics or logging.
 *
 * <p>What the GSLB costs beyond this is dicomlb's; what this costs beyond gdnsd is the
 * transport's and the JVM's (docs/benchmarks.md, the {@code Netty UDP floor} variant).
 *
 * <p>Run as {@code NettyUdpFloor HOST PORT THREADS}; it runs until it is killed. Its event loops
 * are named {@value #IO_THREADS}N-M.
 */
public final class NettyUdpFloor {
    /** Thread-name prefix of the responder's event loops. */
    public static final String IO_THREADS = "udp-floor-";
    /** As the GSLB's: the largest query read whole, and queries per {@code recvmmsg}. */
    static final int MAX_QUERY = 1024;
    static final int BATCH = 16;
    /** DNS header, flags: QR (response) and AA (authoritative); RCODE 0 (NOERROR). */
    private static final int QR = 0x80;
    private static final int AA = 0x04;
    private static final int HEADER = 12;

    private NettyUdpFloor() {
    }

    /** The command that runs the responder on {@code at} with {@code threads} event loops ({@link FloorJvm#command}). */
    public static List<String> command(InetSocketAddress at, int threads) {
        return FloorJvm.command(NettyUdpFloor.class, at.getHostString(), Integer.toString(at.getPort()), Integer.toString(threads));
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: NettyUdpFloor HOST PORT THREADS");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[2]);
        List<Channel> sockets = start(FloorJvm.eventLoops(IO_THREADS, threads), new InetSocketAddress(args[0], Integer.parseInt(args[1])), threads);
        System.out.println("answering on " + sockets.getFirst().localAddress() + " with " + sockets.size() + " sockets");
        sockets.getFirst().closeFuture().sync();
    }

    /** Binds {@code sockets} UDP sockets on {@code at} (the same port for all); returns them. */
    static List<Channel> start(EventLoopGroup group, InetSocketAddress at, int sockets) throws InterruptedException {
        List<Channel> bound = new ArrayList<>();
        InetSocketAddress address = at;
        for (int i = 0; i < sockets; i++) {
            Channel ch = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                    .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                    .option(EpollChannelOption.SO_REUSEPORT, sockets > 1)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_QUERY * BATCH))
                    .handler(new Answer())
                    .bind(address).sync().channel();
            bound.add(ch);
            address = (InetSocketAddress) ch.localAddress();
        }
        return bound;
    }

    /** Turns each query into its empty response in place and sends it back. */
    private static final class Answer extends SimpleChannelInboundHandler<DatagramPacket> {
        private boolean pending;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket query) {
            ByteBuf b = query.content();
            if (b.readableBytes() < HEADER || (b.getByte(b.readerIndex() + 2) & QR) != 0) {
                return; // not a query: nothing to answer
            }
            int flags = b.readerIndex() + 2;
            b.setByte(flags, (b.getByte(flags) & 0x79) | QR | AA); // keep opcode and RD, clear TC
            b.setByte(flags + 1, 0); // RA, Z, AD, CD and RCODE 0
            ctx.write(new DatagramPacket(b.retain(), query.sender()), ctx.voidPromise());
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
            // One bad datagram must not close a socket every client shares.
        }
    }
}
