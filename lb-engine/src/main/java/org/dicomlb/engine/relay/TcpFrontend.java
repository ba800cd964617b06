package org.dicomlb.engine.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.pool.Pool;

/**
 * The first handler of a {@code mode: tcp} connection: dial a backend of the listener's pool,
 * then get out of the way of the relay. Client bytes wait in the kernel meanwhile (AUTO_READ off).
 */
public final class TcpFrontend extends ChannelInboundHandlerAdapter {
    private final ListenerContext listener;
    private ProxyConnection connection;

    public TcpFrontend(ListenerContext listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection = new ProxyConnection(ctx.channel(), listener, "tcp");
        listener.admit(connection, () -> dial(ctx));
        ctx.fireChannelActive();
    }

    private void dial(ChannelHandlerContext ctx) {
        Pool pool = listener.pool(listener.config().pool());
        if (pool == null) {
            connection.fail(EndReason.NO_BACKEND);
            return;
        }
        new Dialer(connection, pool, (dialer, backend, endpoint) -> {
            dialer.accept(backend, endpoint);
            ctx.pipeline().remove(this);
            if (ctx.channel().isActive()) {
                connection.startRelay();
            }
        }, connection::fail).start();
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
