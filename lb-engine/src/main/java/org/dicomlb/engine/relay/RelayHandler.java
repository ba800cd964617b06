package org.dicomlb.engine.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.dicomlb.engine.access.EndReason;

/**
 * Copies bytes from its channel to the peer. AUTO_READ is off: after a batch of reads is handed
 * to the peer and flushed, the next read is requested only when that write has completed and the
 * peer is below its high water mark. A slow receiver therefore stalls its sender instead of
 * growing our buffers.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final ProxyConnection connection;
    private final boolean clientSide;
    private ChannelFuture lastWrite;

    RelayHandler(ProxyConnection connection, boolean clientSide) {
        this.connection = connection;
        this.clientSide = clientSide;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel peer = connection.peerOf(clientSide);
        if (!(msg instanceof ByteBuf buf) || !peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        connection.relayed(clientSide, buf.readableBytes());
        lastWrite = peer.write(buf);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel peer = connection.peerOf(clientSide);
        ChannelFuture w = lastWrite;
        lastWrite = null;
        if (w == null) {
            ctx.read();
            return;
        }
        peer.flush();
        w.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                connection.error(!clientSide, f.cause());
            } else if (peer.isWritable()) {
                ctx.read();
            }
            // else: the peer's writability event requests the read (see channelWritabilityChanged).
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Our channel drained below the low water mark: let the side feeding it read again.
        Channel peer = connection.peerOf(clientSide);
        if (ctx.channel().isWritable() && peer != null && peer.isActive()) {
            peer.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.inputShutdown(clientSide);
        } else if (evt instanceof IdleStateEvent) {
            connection.close(EndReason.IDLE_TIMEOUT);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.sideClosed(clientSide);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.error(clientSide, cause);
    }
}
