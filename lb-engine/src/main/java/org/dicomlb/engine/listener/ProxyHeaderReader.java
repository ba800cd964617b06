package org.dicomlb.engine.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.relay.ProxyConnection;

/**
 * First on a connection from a trusted upstream proxy (a listener's {@code proxy-protocol}),
 * behind Netty's PROXY protocol decoder (v1 and v2): reads the header, makes the client it names
 * the connection's client, and only then lets the rest of the pipeline (TLS, the frontend) hear of
 * the connection. A connection whose header is missing, malformed or late (the listener's
 * {@code timeouts.request}) is closed with {@code end=proxy_header}; nothing behind this handler
 * ever sees it. A {@code LOCAL} header (the upstream's own health check) keeps the upstream as the
 * client, as does a header for a protocol other than TCP over IPv4 or IPv6.
 */
final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {
    static final String NAME = "proxy-header";
    static final String DECODER = "proxy-header-decoder";
    static final String GUARD = "proxy-header-guard";
    private static final String NOT_VALID = "not a valid PROXY protocol header";

    private final ProxyConnection connection;
    private final Duration timeout;
    private ScheduledFuture<?> timer;
    private boolean done;

    ProxyHeaderReader(ProxyConnection connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Held back from the handlers behind until the header is in. AUTO_READ is off; the decoder
        // asks for more by itself until a whole header has arrived.
        timer = ctx.executor().schedule(() -> failed(ctx, "no PROXY header within " + timeout.toMillis() + " ms"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof HAProxyMessage header)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        done = true;
        timer.cancel(false);
        try {
            InetSocketAddress client = client(header);
            if (client != null) {
                connection.record().proxied(client);
            }
        } finally {
            header.release();
        }
        ctx.pipeline().remove(GUARD);
        ctx.pipeline().remove(this);
        // What the upstream sent behind its header follows from the decoder as it leaves.
        ctx.fireChannelActive();
    }

    /** The client a PROXY header names, or null when it names none we use. */
    static InetSocketAddress client(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return null;
        }
        HAProxyProxiedProtocol p = header.proxiedProtocol();
        if (p != HAProxyProxiedProtocol.TCP4 && p != HAProxyProxiedProtocol.TCP6) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(header.sourceAddress()), header.sourcePort());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void failed(ChannelHandlerContext ctx, String why) {
        if (done) {
            return;
        }
        done = true;
        if (timer != null) {
            timer.cancel(false);
        }
        connection.record().field("proxy_error", why.length() > 160 ? why.substring(0, 160) : why);
        connection.fail(EndReason.PROXY_HEADER);
        ctx.close();
    }

    /**
     * In front of the decoder: Netty's decoder closes the channel itself on a malformed header
     * (before it reports why), which would log the connection as the client's close; this marks
     * it {@code end=proxy_header} first.
     */
    ChannelOutboundHandlerAdapter guard() {
        return new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
                if (!done && ctx.channel().isActive()) {
                    failed(ctx, NOT_VALID);
                }
                ctx.close(promise);
            }
        };
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(ctx, reason(cause));
    }

    /**
     * Why, for {@code proxy_error}. What the decoder throws says it in words when it is a
     * {@link HAProxyProtocolException}; anything else from it (a TLV whose length runs past the
     * header's end comes as an IndexOutOfBoundsException) would put a buffer's internals in the
     * access log, so it is only "not valid". Other errors (a reset) are the connection's own.
     */
    static String reason(Throwable cause) {
        if (cause instanceof DecoderException) {
            for (Throwable c = cause; c != null; c = c.getCause()) {
                if (c instanceof HAProxyProtocolException && c.getMessage() != null) {
                    return c.getMessage();
                }
            }
            return NOT_VALID;
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            done = true;
            if (timer != null) {
                timer.cancel(false);
            }
            connection.record().end(EndReason.CLIENT_ABORTED);
        }
    }
}
