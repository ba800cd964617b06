package org.dicomlb.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our FIN goes out, the other direction keeps working, and the peer's FIN then closes the channel:
 * on epoll through the socket directly, on NIO through Netty's own shutdown. The server side is a
 * Netty channel on 127.0.0.1 (a kernel-chosen port), the client a plain socket.
 */
class HalfCloseTest {
    @Test
    void epollIsWhatThisMachineUses() {
        // The epoll case below must not quietly become a second NIO run on Linux.
        assertThat(Transport.best()).as(Transport.epollUnavailableBecause()).isEqualTo(Transport.EPOLL);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void finOutThenTheOtherDirectionThenThePeersFinCloses(Transport transport) throws Exception {
        EventLoopGroup group = transport.newGroup(1, "half-close-test");
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        StringBuilder received = new StringBuilder();
        AtomicBoolean inputShutdownEvent = new AtomicBoolean();
        CountDownLatch inactive = new CountDownLatch(1);
        try {
            Channel server = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            accepted.complete(ctx.channel());
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf b = (ByteBuf) msg;
                            received.append(b.toString(StandardCharsets.US_ASCII));
                            b.release();
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof ChannelInputShutdownEvent) {
                                inputShutdownEvent.set(true);
                            }
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            inactive.countDown();
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(server.localAddress(), 5000);
                client.setSoTimeout(5000);
                DuplexChannel ch = (DuplexChannel) accepted.get(5, TimeUnit.SECONDS);
                ch.writeAndFlush(ch.alloc().buffer().writeBytes("last".getBytes(StandardCharsets.US_ASCII))).sync();
                CompletableFuture<Boolean> shut = new CompletableFuture<>();
                ch.eventLoop().execute(() -> {
                    HalfClose.shutdownOutput(ch);
                    shut.complete(ch.isOutputShutdown());
                });
                assertThat(shut.get(5, TimeUnit.SECONDS)).isTrue();

                InputStream in = client.getInputStream();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("last");
                client.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                client.shutdownOutput();

                assertThat(inactive.await(5, TimeUnit.SECONDS)).as("the peer's FIN closes the channel").isTrue();
                ch.eventLoop().submit(() -> { }).sync(); // what was read before the close is visible
                assertThat(received.toString()).isEqualTo("still here");
                assertThat(inputShutdownEvent).as("closed outright, not half-closed a second time").isFalse();
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
