package org.dicomlb.harness.bench.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's floor for dicomlb's relay: the least a TCP relay on Netty's epoll transport
 * does, in a JVM started with dicomlb's launcher settings. It accepts, dials the one backend on
 * the accepting event loop, then copies both ways the way dicomlb's relay does (reads explicit,
 * the next read once the batch is flushed and the peer is writable; half-close passed on), and
 * nothing else: no routing, health, admission, metrics, access log, timeouts or logging.
 *
 * <p>What dicomlb costs beyond this relay is dicomlb's own; what this relay costs beyond HAProxy
 * is the transport's and the JVM's (docs/benchmarks.md, the {@code Netty relay} variant).
 *
 * <p>Run as {@code NettyRelay LISTEN_HOST LISTEN_PORT BACKEND_HOST BACKEND_PORT THREADS}; it runs
 * until it is killed. Its event loops are named {@value #IO_THREADS}N-M.
 */
public final class NettyRelay {
    /** Thread-name prefix of the relay's event loops, for the I/O-thread CPU rows. */
    public static final String IO_THREADS = "relay-io-";

    private NettyRelay() {
    }

    /** The command that runs the floor from {@code listen} to {@code backend} with {@code threads} event loops. */
    public static List<String> command(InetSocketAddress listen, InetSocketAddress backend, int threads) {
        return FloorJvm.proxyCommand(NettyRelay.class, listen, backend, threads);
    }

    public static void main(String[] args) throws InterruptedException {
        FloorJvm.runProxy(NettyRelay.class, args, IO_THREADS, NettyRelay::start, "relaying");
    }

    /** Binds the relay on {@code group}; the returned channel is the listening socket. */
    static Channel start(EventLoopGroup group, InetSocketAddress listen, InetSocketAddress backend) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel client) {
                        client.pipeline().addLast(new Dial(backend));
                    }
                })
                .bind(listen).sync().channel();
    }

    /**
     * On a new client: connect to the backend, then relay both ways. Nothing is read before then
     * (AUTO_READ is off), but a client that half-closes at once makes the transport read what came
     * with its FIN: those bytes and the FIN are kept and passed on first, as dicomlb does.
     */
    private static final class Dial extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress backend;
        /** Bytes read with an early FIN: at most what the socket held, since nothing follows a FIN. */
        private List<Object> early = List.of();
        private boolean endedEarly;

        Dial(InetSocketAddress backend) {
            this.backend = backend;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(EpollSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new Copy(client));
            b.connect(backend).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess() || !client.isActive()) {
                    early.forEach(ReferenceCountUtil::release);
                    client.close();
                    f.channel().close();
                    return;
                }
                Channel server = f.channel();
                client.pipeline().replace(this, "copy", new Copy(server));
                early.forEach(m -> server.write(m, server.voidPromise()));
                server.flush();
                if (endedEarly) {
                    client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                } else {
                    client.read();
                }
                server.read();
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (early.isEmpty()) {
                early = new ArrayList<>();
            }
            early.add(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                endedEarly = true;
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Copies what its channel reads to {@code peer} ({@link FloorForward}) and passes half-closes on. */
    private static final class Copy extends FloorForward {
        Copy(Channel peer) {
            super(peer);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (!(evt instanceof ChannelInputShutdownEvent)) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            // This side sent FIN. Both directions done: close both once their queues are written;
            // otherwise pass the FIN on after whatever is still queued for the peer.
            DuplexChannel other = (DuplexChannel) peer;
            if (other.isInputShutdown() || !other.isActive()) {
                closeAfterPending(ctx.channel());
                closeAfterPending(peer);
            } else if (nothingPending(peer)) {
                other.shutdownOutput();
            } else {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        other.shutdownOutput();
                    } else {
                        ctx.close();
                        peer.close();
                    }
                });
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeAfterPending(peer);
        }
    }
}
