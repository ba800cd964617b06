package org.dicomlb.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket through an http listener: the JDK's WebSocket client against Netty's WebSocket
 * server (two independent implementations of RFC 6455), the upgrade passed through, messages
 * both ways over the tunnel, and the access log's request line ({@code status=101}) and the
 * tunnel's own line when it ends.
 */
class HttpWebSocketTest {
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private Channel server;

    @AfterEach
    void tearDown() throws Exception {
        access.close();
        fx.close();
        if (server != null) {
            server.close().sync();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** A WebSocket server on {@code /ws} answering each text message with {@code echo:} and the text. */
    private InetSocketAddress startEchoServer() throws InterruptedException {
        InetSocketAddress at = new InetSocketAddress("127.0.0.11", Ports.free("127.0.0.11"));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws"),
                                // The JDK client sends a long message as a text frame and continuations.
                                new WebSocketFrameAggregator(1 << 20),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo:" + f.text()));
                                    }
                                });
                    }
                }).bind(at).sync().channel();
        return at;
    }

    @Test
    void aWebSocketUpgradePassesThroughAndCarriesMessagesBothWays() throws Exception {
        InetSocketAddress backend = startEchoServer();
        fx.start("""
                listeners:
                  - { name: web, bind: 127.0.0.1:%d, mode: http, pool: p }
                pools:
                  - name: p
                    health-check: none
                    backends: [{ name: ws1, address: 127.0.0.11:%d }]
                """.formatted(fx.listenPort, backend.getPort()));
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closedWith = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    received.add(text.toString());
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                closedWith.complete(status);
                return null;
            }
        };
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + fx.listenPort + "/ws"), listener)
                .get(15, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            ws.sendText("study-" + i, true).get(10, TimeUnit.SECONDS);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo:study-" + i);
        }
        String big = "x".repeat(40_000);
        ws.sendText(big, true).get(10, TimeUnit.SECONDS);
        String echoed = received.poll(10, TimeUnit.SECONDS);
        assertThat(echoed == null ? "nothing" : echoed.length() + " characters").isEqualTo((big.length() + 5) + " characters");
        assertThat(echoed).isEqualTo("echo:" + big);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertThat(closedWith.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);

        Eventually.until(() -> access.lines().size() >= 2, Duration.ofSeconds(10), access::lines);
        assertThat(access.lines().getFirst()).contains("method=GET", "path=/ws", "status=101", "backend=ws1", "end=complete");
        String tunnel = access.lines().get(1);
        assertThat(tunnel).contains("mode=http", "pool=p", "backend=ws1").doesNotContain("bytes_in=0 ");
        assertThat(fx.metric("dicomlb_http_requests_total{backend=\"ws1\",listener=\"web\",pool=\"p\",status=\"1xx\"}"))
                .isEqualTo(1);
    }
}
