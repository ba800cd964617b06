package org.dicomlb.healthcheck;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** A loopback server's child handler: accepts and holds; the tcp check's reset is no error here. */
@ChannelHandler.Sharable
public final class Quiet extends ChannelInboundHandlerAdapter {
    public static final Quiet INSTANCE = new Quiet();

    private Quiet() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
