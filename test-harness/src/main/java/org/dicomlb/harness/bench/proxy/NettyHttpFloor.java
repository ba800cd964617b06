package org.dicomlb.harness.bench.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The benchmark's floor for dicomlb's http listener: the least HTTP/1.1 proxy on Netty's epoll
 * transport and HTTP codec (the codec dicomlb's http listener uses), in a JVM started with
 * dicomlb's launcher settings. Each client connection gets one backend connection, dialled on
 * its event loop when it is accepted and kept alive as long as the client's; every request is
 * decoded, given dicomlb's default forwarded fields (those of an untrusted client, as HAProxy is
 * told to in the benchmark: {@link ProxyConfigs#HAPROXY_FORWARDED}) and encoded again towards the
 * backend, every response decoded and encoded back, bodies streamed as they come with dicomlb's
 * read discipline (explicit reads, the next once the batch is flushed and the peer is writable).
 * Nothing else: no routing, pooling across clients, hop-by-hop fields, persistence, timeouts,
 * error responses, metrics or access log.
 *
 * <p>What dicomlb's http listener costs beyond this is its own; what this costs beyond HAProxy's
 * {@code mode http} is the transport's, the codec's and the JVM's (docs/benchmarks.md, the
 * {@code Netty HTTP floor} variant).
 *
 * <p>Run as {@code NettyHttpFloor LISTEN_HOST LISTEN_PORT BACKEND_HOST BACKEND_PORT THREADS}; it
 * runs until it is killed. Its event loops are named {@value #IO_THREADS}N-M.
 */
public final class NettyHttpFloor {
    /** Thread-name prefix of the floor's event loops, for the I/O-thread CPU rows. */
    public static final String IO_THREADS = "http-floor-io-";
    /** Plain strings: a Netty class here would be loaded before main sets Netty's logging up. */
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    private static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    private static final String FORWARDED = "Forwarded";
    private static final List<String> INCOMING = List.of(X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST,
            "X-Forwarded-Port", "X-Real-IP", FORWARDED);

    private NettyHttpFloor() {
    }

    /** The command that runs the floor from {@code listen} to {@code backend} with {@code threads} event loops. */
    public static List<String> command(InetSocketAddress listen, InetSocketAddress backend, int threads) {
        return FloorJvm.proxyCommand(NettyHttpFloor.class, listen, backend, threads);
    }

    public static void main(String[] args) throws InterruptedException {
        FloorJvm.runProxy(NettyHttpFloor.class, args, IO_THREADS, NettyHttpFloor::start, "proxying HTTP");
    }

    /** Binds the floor on {@code group}; the returned channel is the listening socket. */
    static Channel start(EventLoopGroup group, InetSocketAddress listen, InetSocketAddress backend) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel client) {
                        client.pipeline().addLast(new HttpServerCodec(), new Dial(backend));
                    }
                })
                .bind(listen).sync().channel();
    }

    /** On a new client: connect to the backend; once connected, forward both ways. */
    private static final class Dial extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress backend;

        Dial(InetSocketAddress backend) {
            this.backend = backend;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            String forwardedFor = ((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress();
            Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(EpollSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel server) {
                            server.pipeline().addLast(new HttpClientCodec(), new Forward(client, null));
                        }
                    });
            b.connect(backend).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess() || !client.isActive()) {
                    client.close();
                    f.channel().close();
                    return;
                }
                Channel server = f.channel();
                client.pipeline().replace(this, "forward", new Forward(server, forwardedFor));
                client.read();
                server.read();
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // Nothing is read before the backend is connected (AUTO_READ is off).
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Writes what its channel decodes to {@code peer}, which encodes it ({@link FloorForward}); a
     * request gets the forwarded fields on the way.
     */
    private static final class Forward extends FloorForward {
        /** The client's address, on the client's side; null on the backend's. */
        private final String forwardedFor;

        Forward(Channel peer, String forwardedFor) {
            super(peer);
            this.forwardedFor = forwardedFor;
        }

        @Override
        protected Object onTheWay(Object msg) {
            if (forwardedFor != null && msg instanceof HttpRequest request) {
                HttpHeaders h = request.headers();
                INCOMING.forEach(h::remove);
                String host = h.get(HttpHeaderNames.HOST);
                h.add(X_FORWARDED_FOR, forwardedFor);
                h.add(X_FORWARDED_PROTO, "http");
                if (host != null) {
                    h.add(X_FORWARDED_HOST, host);
                    h.add(FORWARDED, "for=" + forwardedFor + ";proto=http;host=\"" + host + "\"");
                } else {
                    h.add(FORWARDED, "for=" + forwardedFor + ";proto=http");
                }
            }
            return msg;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Either side gone: the other closes once what is queued for it is written.
            closeAfterPending(peer);
        }
    }
}
