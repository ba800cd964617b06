package org.dicomlb.engine.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Copies bytes from its channel to the peer. AUTO_READ is off: a batch of reads is written to
 * the peer and flushed, and the next read is requested only once that batch has been handed to
 * the peer's socket and the peer is below its high water mark; otherwise the peer's writability
 * event requests it when the peer has drained below its low water mark. A slow receiver therefore
 * stalls its sender, and per-connection buffering is bounded by the water marks
 * ({@link RelayOptions#WATER_MARK}).
 *
 * <p>Writes use the channel's void promise: no future per chunk. A failed write surfaces as
 * {@code exceptionCaught} on the peer's pipeline, whose relay handler ends the connection.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final ProxyConnection connection;
    private final boolean clientSide;
    private boolean wrote;

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
        peer.write(buf, peer.voidPromise());
        wrote = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel peer = connection.peerOf(clientSide);
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
