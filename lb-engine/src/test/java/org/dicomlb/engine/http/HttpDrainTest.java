package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.testing.Configs;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.HttpTestBackend;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An http listener's connections when dicomlb stops, or a reload removes the listener
 * (docs/http.md "Stopping and reload"): they do not serve new requests through the shutdown
 * grace. HTTP/1.1: the request in progress is answered with {@code Connection: close}, a
 * kept-alive connection between requests is closed at once, a new one's first request is answered
 * and closed. HTTP/2: GOAWAY at once, the stream in progress finishes, then the connection closes.
 * All of it long before the grace runs out, with one access-log line per request.
 */
class HttpDrainTest {
    private static final String GET = "GET /name HTTP/1.1\r\nHost: web.test\r\n\r\n";
    private static final Duration GRACE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private HttpTestBackend b;
    private EventLoopGroup clientLoop;

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        if (b != null) {
            b.close();
        }
        if (clientLoop != null) {
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private String yaml(int port, String listenerExtra) {
        return Configs.httpListener(port, "b1", b.hostPort(), listenerExtra);
    }

    /** The stop of {@link org.dicomlb.engine.Engine#drainAndClose}, on another thread: it blocks until all is closed. */
    private CompletableFuture<Integer> stopInBackground() {
        return stopInBackground(GRACE);
    }

    private CompletableFuture<Integer> stopInBackground(Duration grace) {
        CompletableFuture<Integer> left = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("test-stop").start(() -> left.complete(fx.engine.drainAndClose(grace)));
        Eventually.until(() -> !fx.engine.listening("web"), Duration.ofSeconds(10), () -> "still listening");
        return left;
    }

    private static void assertClosedByPeer(RawHttp c, Duration within) throws IOException {
        c.socket().setSoTimeout((int) within.toMillis());
        // A read timeout fails the test: the connection was still open.
        assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void stoppingEndsHttp11ConnectionsAtTheirNextCleanPointNotAtTheEndOfTheGrace() throws Exception {
        b = HttpTestBackend.start("b1", "127.0.0.11");
        fx.start(yaml(fx.listenPort, ""));
        try (RawHttp busy = new RawHttp(fx.front()); RawHttp idle = new RawHttp(fx.front());
             RawHttp fresh = new RawHttp(fx.front())) {
            assertThat(busy.send(GET).read().header("connection")).isNull();
            assertThat(idle.send(GET).read().header("connection")).isNull();
            busy.send("GET /slow/3000 HTTP/1.1\r\nHost: web.test\r\n\r\n");
            Eventually.until(() -> b.requests() == 3 && fx.engine.openConnections() == 3, Duration.ofSeconds(10),
                    () -> b.requests() + " requests at the backend, " + fx.engine.openConnections() + " connections");
            long stopAt = System.nanoTime();
            CompletableFuture<Integer> left = stopInBackground();

            // Between requests: closed at once, not after keep-alive (60 s) or the grace (20 s).
            assertClosedByPeer(idle, Duration.ofSeconds(5));
            // In progress: answered in full, told that the connection ends, and it does.
            RawHttp.Response slow = busy.read();
            assertThat(slow.status()).isEqualTo(200);
            assertThat(slow.text()).isEqualTo("b1");
            assertThat(slow.header("connection")).isEqualToIgnoringCase("close");
            assertClosedByPeer(busy, Duration.ofSeconds(5));
            // Opened and not yet used: its first request is answered, once.
            RawHttp.Response first = fresh.send(GET).read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("connection")).isEqualToIgnoringCase("close");
            assertClosedByPeer(fresh, Duration.ofSeconds(5));

            assertThat(left.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(GRACE.dividedBy(2));
        }
        Eventually.until(() -> access.lines().size() == 4, Duration.ofSeconds(5), access::lines);
        assertThat(access.lines()).allSatisfy(l -> assertThat(l).contains(" status=200 ").endsWith(" end=complete"));
        assertThat(access.lines()).filteredOn(l -> l.contains(" path=/slow/3000 ")).hasSize(1);
    }

    @Test
    void aListenerRemovedByAReloadEndsItsHttp11ConnectionsAfterTheirRequestsInProgress() throws Exception {
        b = HttpTestBackend.start("b1", "127.0.0.11");
        fx.start(yaml(fx.listenPort, ""));
        int next = Ports.free("127.0.0.1");
        try (RawHttp busy = new RawHttp(fx.front()); RawHttp idle = new RawHttp(fx.front())) {
            assertThat(busy.send(GET).read().status()).isEqualTo(200);
            assertThat(idle.send(GET).read().status()).isEqualTo(200);
            busy.send("GET /slow/3000 HTTP/1.1\r\nHost: web.test\r\n\r\n");
            Eventually.until(() -> b.requests() == 3, Duration.ofSeconds(10), () -> b.requests() + " requests");

            ReloadResult moved = fx.apply(yaml(next, ""));
            assertThat(moved.applied()).as(moved.errors().toString()).isTrue();

            assertClosedByPeer(idle, Duration.ofSeconds(5));
            RawHttp.Response slow = busy.read();
            assertThat(slow.status()).isEqualTo(200);
            assertThat(slow.header("connection")).isEqualToIgnoringCase("close");
            assertClosedByPeer(busy, Duration.ofSeconds(5));
            Eventually.until(() -> fx.engine.openConnections() == 0, Duration.ofSeconds(5),
                    () -> fx.engine.openConnections() + " open");
        }
        // The listener on its new address serves as before, kept alive.
        try (RawHttp c = new RawHttp(new java.net.InetSocketAddress("127.0.0.1", next))) {
            for (int i = 0; i < 2; i++) {
                RawHttp.Response r = c.send(GET).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).isNull();
            }
        }
        Eventually.until(() -> access.lines().size() == 5, Duration.ofSeconds(5), access::lines);
        assertThat(access.lines()).allSatisfy(l -> assertThat(l).endsWith(" end=complete"));
    }

    @Test
    void stoppingSendsHttp2GoAwayAtOnceAndTheStreamInProgressFinishes() throws Exception {
        H2Client h2 = startTlsAndConnectHttp2();

        H2Client.Answer first = h2.get("/name").get(10, TimeUnit.SECONDS);
        assertThat(first.status()).isEqualTo("200");
        assertThat(first.body()).isEqualTo("b1");
        CompletableFuture<H2Client.Answer> slow = h2.get("/slow/3000");
        int inProgress = h2.lastOpened;
        Eventually.until(() -> b.requests() == 2, Duration.ofSeconds(10), () -> b.requests() + " requests");
        long stopAt = System.nanoTime();
        CompletableFuture<Integer> left = stopInBackground();

        // At once (the stream has more than a second to go), naming the stream in progress as the last.
        H2Client.GoAway goAway = h2.goAway.get(1, TimeUnit.SECONDS);
        assertThat(goAway.errorCode()).isZero();
        assertThat(goAway.lastStreamId()).isEqualTo(inProgress);
        assertThat(slow.isDone()).isFalse();
        H2Client.Answer answer = slow.get(10, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo("200");
        assertThat(answer.body()).isEqualTo("b1");
        // Its last stream done, the connection closes.
        assertThat(h2.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(left.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(GRACE.dividedBy(2));

        Eventually.until(() -> access.lines().size() == 2, Duration.ofSeconds(5), access::lines);
        assertThat(access.lines()).allSatisfy(l -> assertThat(l).contains(" proto=HTTP/2.0 ", " status=200 ")
                .endsWith(" end=complete"));
    }

    @Test
    void anHttp2ConnectionWithNoStreamInProgressClosesRightAfterItsGoAway() throws Exception {
        H2Client h2 = startTlsAndConnectHttp2();
        assertThat(h2.get("/name").get(10, TimeUnit.SECONDS).status()).isEqualTo("200");
        int served = h2.lastOpened;

        CompletableFuture<Integer> left = stopInBackground();
        H2Client.GoAway goAway = h2.goAway.get(5, TimeUnit.SECONDS);
        assertThat(goAway.errorCode()).isZero();
        assertThat(goAway.lastStreamId()).isEqualTo(served);
        assertThat(h2.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(left.get(10, TimeUnit.SECONDS)).isZero();
        Eventually.until(() -> access.lines().size() == 1, Duration.ofSeconds(5), access::lines);
        assertThat(access.lines().getFirst()).endsWith(" end=complete");
    }

    @Test
    void aRequestStillInProgressWhenTheGraceRunsOutIsCutAndLoggedAsShutdown() throws Exception {
        b = HttpTestBackend.start("b1", "127.0.0.11");
        fx.start(yaml(fx.listenPort, ""));
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /slow/5000 HTTP/1.1\r\nHost: web.test\r\n\r\n");
            Eventually.until(() -> b.requests() == 1, Duration.ofSeconds(10), () -> b.requests() + " requests");
            CompletableFuture<Integer> left = stopInBackground(Duration.ofMillis(500));
            assertThat(left.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertClosedByPeer(c, Duration.ofSeconds(5));
        }
        Eventually.until(() -> !access.lines().isEmpty(), Duration.ofSeconds(5), access::lines);
        // The request's line only: the connection, which carried nothing else, has none of its own.
        Thread.sleep(200);
        assertThat(access.lines()).singleElement().asString().contains(" path=/slow/5000 ").endsWith(" end=shutdown");
    }

    @Test
    void anHttp2StreamStillInProgressWhenTheGraceRunsOutIsCutAndLoggedAsShutdown() throws Exception {
        H2Client h2 = startTlsAndConnectHttp2();
        CompletableFuture<H2Client.Answer> slow = h2.get("/slow/5000");
        Eventually.until(() -> b.requests() == 1, Duration.ofSeconds(10), () -> b.requests() + " requests");

        CompletableFuture<Integer> left = stopInBackground(Duration.ofMillis(500));
        assertThat(h2.goAway.get(5, TimeUnit.SECONDS).lastStreamId()).isEqualTo(h2.lastOpened);
        assertThat(left.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        // Cut when the grace ran out, not when the backend would have answered.
        assertThat(h2.channel.closeFuture().await(2, TimeUnit.SECONDS)).isTrue();
        // The stream hears of it a moment after the connection's close, on the client's loop.
        assertThatThrownBy(() -> slow.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        Eventually.until(() -> !access.lines().isEmpty(), Duration.ofSeconds(5), access::lines);
        Thread.sleep(200);
        assertThat(access.lines()).singleElement().asString().contains(" path=/slow/5000 ", " proto=HTTP/2.0 ")
                .endsWith(" end=shutdown");
    }

    /** A TLS listener (a certificate of a test CA) in front of backend b1, and an HTTP/2 client connected to it. */
    private H2Client startTlsAndConnectHttp2() throws Exception {
        TestPki pki = TestPki.create(dir, "web");
        TestPki.Issued issued = pki.server("web", TestPki.Names.cn("web.test").dns("web.test").ip("127.0.0.1"));
        b = HttpTestBackend.start("b1", "127.0.0.11");
        fx.start(yaml(fx.listenPort, "tls: { certificate: %s, key: %s }".formatted(issued.chain(), issued.key())));
        return H2Client.connect(this, pki);
    }

    /**
     * A bare HTTP/2 client (Netty's frame codec over TLS with ALPN h2): requests on streams of
     * their own, and the GOAWAY the server sends, as frames, which the JDK's client does not show.
     */
    private static final class H2Client {
        record Answer(String status, String body) {
        }

        record GoAway(long errorCode, int lastStreamId) {
        }

        final Channel channel;
        final CompletableFuture<GoAway> goAway;
        private final int port;
        /** The id of the stream opened last. */
        volatile int lastOpened;

        private H2Client(Channel channel, CompletableFuture<GoAway> goAway, int port) {
            this.channel = channel;
            this.goAway = goAway;
            this.port = port;
        }

        static H2Client connect(HttpDrainTest test, TestPki pki) throws Exception {
            SslContext ssl = SslContextBuilder.forClient().trustManager(pki.caCertificate())
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                    .build();
            test.clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            CompletableFuture<GoAway> goAway = new CompletableFuture<>();
            int port = test.fx.listenPort;
            Channel ch = new Bootstrap().group(test.clientLoop).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                            ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    if (msg instanceof Http2GoAwayFrame g) {
                                        goAway.complete(new GoAway(g.errorCode(), g.lastStreamId()));
                                    }
                                    ReferenceCountUtil.release(msg);
                                }
                            });
                        }
                    }).connect("127.0.0.1", port).sync().channel();
            return new H2Client(ch, goAway, port);
        }

        CompletableFuture<Answer> get(String path) throws InterruptedException {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            List<String> status = new ArrayList<>(1);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel).handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    try {
                        boolean end = false;
                        if (msg instanceof Http2HeadersFrame h) {
                            status.add(h.headers().status().toString());
                            end = h.isEndStream();
                        } else if (msg instanceof Http2DataFrame d) {
                            ByteBuf c = d.content();
                            byte[] bytes = new byte[c.readableBytes()];
                            c.readBytes(bytes);
                            body.writeBytes(bytes);
                            end = d.isEndStream();
                        }
                        if (end) {
                            answer.complete(new Answer(status.getFirst(), body.toString(StandardCharsets.UTF_8)));
                        }
                    } finally {
                        ReferenceCountUtil.release(msg);
                    }
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    answer.completeExceptionally(new IOException("stream closed before its answer ended"));
                }
            }).open().sync().getNow();
            Http2Headers headers = new DefaultHttp2Headers().method("GET").path(path).scheme("https")
                    .authority("web.test:" + port);
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)).sync();
            lastOpened = stream.stream().id();
            return answer;
        }
    }
}
