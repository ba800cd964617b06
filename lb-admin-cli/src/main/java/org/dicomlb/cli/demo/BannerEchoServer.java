package org.dicomlb.cli.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.io.EventLoops;

/**
 * A simulated TCP backend for the demo: greets each connection with its name, then echoes what it
 * receives, so a user typing into {@code nc} through dicomlb sees which backend answered.
 */
public final class BannerEchoServer implements AutoCloseable {
    private final Channel channel;

    private BannerEchoServer(Channel channel) {
        this.channel = channel;
    }

    public static BannerEchoServer start(EventLoops.Group io, String name, InetSocketAddress address) {
        byte[] banner = ("hello from " + name + " (" + SocketAddresses.format(address) + ")\n").getBytes(StandardCharsets.US_ASCII);
        Channel ch = new ServerBootstrap()
                .group(io.group())
                .channel(io.transport().serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(banner));
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                })
                .bind(address).syncUninterruptibly().channel();
        return new BannerEchoServer(ch);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
