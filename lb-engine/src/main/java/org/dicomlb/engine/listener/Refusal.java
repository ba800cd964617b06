package org.dicomlb.engine.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * A connection refused as it was accepted (over its source's limits on a tcp or TLS listener):
 * a clean close. Our FIN goes out at once; what the client may already have sent is read and
 * dropped until its own FIN, for at most {@link #LINGER_MILLIS}, so that closing with unread data
 * does not turn our FIN into a reset the client would see as an error.
 */
final class Refusal extends ChannelInboundHandlerAdapter {
    static final long LINGER_MILLIS = 1000;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> ctx.channel().close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        if (ctx.channel() instanceof DuplexChannel d) {
            d.shutdownOutput();
            ctx.channel().config().setAutoRead(true);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
