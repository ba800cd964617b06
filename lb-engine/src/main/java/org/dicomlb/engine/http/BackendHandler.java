package org.dicomlb.engine.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.dicomlb.engine.pool.Endpoint;

/**
 * The last handler of a backend connection, behind its {@link BackendCodec}: passes what the
 * backend sends to the request the connection serves now, or, while the connection is kept idle
 * for reuse, watches it: a close, or anything the backend sends unasked (even part of a response),
 * ends it and takes it out of the cache. One per backend connection, for its whole life.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "http-backend";

    private final Channel channel;
    private final Endpoint endpoint;
    private final BackendCodec codec;
    private Exchange exchange;
    /** Where the connection is kept while idle; null while it serves a request. */
    private IdleConnections cache;
    /** The client connection that keeps it (a pool with the PROXY protocol); null when shared. */
    private ClientSession owner;
    private long idleSince;
    private long idleNanos;

    BackendHandler(Channel channel, Endpoint endpoint, BackendCodec codec) {
        this.channel = channel;
        this.endpoint = endpoint;
        this.codec = codec;
    }

    /** The backend sent more than the responses asked for: the connection serves no further request. */
    boolean overrun() {
        return codec.overrun();
    }

    Channel channel() {
        return channel;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** The connection serves {@code e} from now on. */
    void serve(Exchange e) {
        this.exchange = e;
        this.owner = null;
    }

    /** The request it served is done with it (it is being closed, kept idle or handed over). */
    void detach() {
        this.exchange = null;
    }

    /**
     * The connection is idle since {@code now} ({@link System#nanoTime()}): kept for {@code keepNanos}
     * in {@code cache} (set by the cache), or by {@code owner}.
     */
    void idle(long keepNanos, ClientSession owner, long now) {
        this.exchange = null;
        this.owner = owner;
        this.idleSince = now;
        this.idleNanos = keepNanos;
        // Read while idle, so a backend closing its end is noticed at once and the connection forgotten.
        channel.read();
    }

    void cache(IdleConnections c) {
        this.cache = c;
    }

    boolean expired(long now) {
        return now - idleSince >= idleNanos;
    }

    private void dropIdle() {
        if (cache != null) {
            cache.remove(endpoint, this);
            cache = null;
        }
        if (owner != null) {
            owner.forget(this);
            owner = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange != null) {
            exchange.backendRead(msg);
            return;
        }
        // Nothing may come from an idle HTTP/1.1 backend; whatever it is, the connection is unusable.
        ReferenceCountUtil.release(msg);
        dropIdle();
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.backendReadComplete();
        } else if (codec.overrun()) {
            // Part of a response nobody asked for, which the codec holds (a whole one would have come above).
            dropIdle();
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.backendWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete
                || evt instanceof SslCloseCompletionEvent) {
            // The backend's FIN (half-closure is allowed on backend channels), or its TLS close_notify.
            if (exchange != null) {
                exchange.backendClosed(null);
            } else {
                dropIdle();
            }
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.backendClosed(null);
        } else {
            dropIdle();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (exchange != null) {
            exchange.backendClosed(cause);
        } else {
            dropIdle();
        }
        ctx.close();
    }
}
