package org.dicomlb.harness.bench.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;

/**
 * What the proxy floors ({@link NettyRelay}, {@link NettyHttpFloor}) do with what one side reads:
 * write it to {@code peer}, flush once per read batch, and read on only while the peer takes more
 * (dicomlb's read discipline; see its RelayHandler). Subclasses say how a side ends.
 */
abstract class FloorForward extends ChannelInboundHandlerAdapter {
    protected final Channel peer;
    private boolean wrote;

    FloorForward(Channel peer) {
        this.peer = peer;
    }

    /** What goes to the peer for {@code msg}; the message itself unless a subclass changes it. */
    protected Object onTheWay(Object msg) {
        return msg;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        peer.write(onTheWay(msg), peer.voidPromise());
        wrote = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wrote) {
            wrote = false;
            peer.flush();
        }
        if (peer.isWritable()) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && peer.isActive()) {
            peer.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        peer.close();
    }

    static boolean nothingPending(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out == null || out.totalPendingWriteBytes() == 0;
    }

    /** Closes {@code ch} once what is queued for it is written. */
    static void closeAfterPending(Channel ch) {
        if (!ch.isActive() || nothingPending(ch)) {
            ch.close();
        } else {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
