package org.dicomlb.engine.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.dial.Dialer;
import org.dicomlb.engine.dial.Handshake;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.ProxyConnection;

/**
 * The first handler of a {@code mode: tcp} connection: dial a backend of the listener's pool,
 * then get out of the way of the relay. Client bytes wait in the kernel meanwhile (AUTO_READ off);
 * bytes and a FIN that arrive anyway (a request-then-FIN client, {@code printf DATA | nc -N}) are
 * held by the connection and passed on when the relay starts.
 */
public final class TcpFrontend extends ChannelInboundHandlerAdapter implements Dialer.Outcome<Void> {
    private final ListenerContext listener;
    private ChannelHandlerContext ctx;
    private ProxyConnection connection;

    public TcpFrontend(ListenerContext listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        connection = listener.open(ctx.channel());
        listener.admit(connection, this::dial);
        ctx.fireChannelActive();
    }

    private void dial() {
        Pool pool = listener.pool(listener.config().pool());
        if (pool == null) {
            connection.fail(EndReason.NO_BACKEND);
            return;
        }
        Dialer.dial(connection, pool, Handshake.NONE, this);
    }

    @Override
    public void connected(Channel backend, Endpoint endpoint, Void detail) {
        ctx.pipeline().remove(this);
        if (ctx.channel().isActive()) {
            connection.startRelay();
        }
    }

    @Override
    public void failed(EndReason reason) {
        connection.fail(reason);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            connection.holdClientBytes(b);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Half-closure is allowed on relay channels: the client's FIN, before the relay runs.
            connection.clientEndedEarly();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // The client left while we were still dialing; the dialer notices and cleans up.
        connection.record().end(EndReason.CLIENT_ABORTED);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.record().end(EndReason.CLIENT_ERROR);
        ctx.close();
    }
}
