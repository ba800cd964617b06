package org.dicomlb.tls;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;

/**
 * Sits right in front of an {@link SslHandler} (between it and the socket) and makes a fatal
 * error in reading TLS, such as a record that does not decrypt (bad_record_mac), end the
 * connection when it happens, as the JDK provider does on its own.
 *
 * <p>Netty's OpenSSL engine, when such a record fails while it has TLS bytes of its own to send
 * (the alert, or the session tickets BoringSSL sends with the first read after a TLS 1.3
 * handshake), answers the read with NEED_WRAP and keeps the error for the next wrap. The
 * SslHandler wraps once, sends those bytes, sees the engine no longer handshaking, and stops: the
 * error waits for the next write, and a proxy waiting for the client's next bytes writes nothing,
 * so the connection sat until a timeout (30 minutes with a request in flight). Plain Netty does
 * the same. So: when the SslHandler wrote while it was decoding, one flush once the read is done
 * makes it wrap again, which raises the kept error as an exception to the handlers behind it,
 * and the frontend ends the connection as for any client error. Writing while decoding is rare
 * after the handshake (tickets, a key update, an alert), so the extra flush costs nothing on the
 * data path.
 */
public final class TlsReadErrors extends ChannelDuplexHandler {
    public static final String NAME = "tls-read-errors";

    private final SslHandler ssl;
    /** Inside a channelRead, where the SslHandler decodes. */
    private boolean decoding;
    /** Something was written while decoding, since the last read completed. */
    private boolean wroteWhileDecoding;

    public TlsReadErrors(SslHandler ssl) {
        this.ssl = ssl;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        decoding = true;
        try {
            ctx.fireChannelRead(msg);
        } finally {
            decoding = false;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (decoding) {
            wroteWhileDecoding = true;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        if (wroteWhileDecoding) {
            wroteWhileDecoding = false;
            // During the handshake an early flush would only be queued by the SslHandler.
            if (ctx.channel().isActive() && ssl.handshakeFuture().isSuccess()) {
                // From the tail, so it reaches the SslHandler; with nothing to send it wraps nothing.
                ctx.channel().flush();
            }
        }
    }
}
