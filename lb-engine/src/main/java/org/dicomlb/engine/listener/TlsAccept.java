package org.dicomlb.engine.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.tls.PeerIdentity;
import org.dicomlb.tls.TlsChannels;

/**
 * On a TLS listener, between the {@link SslHandler} and the frontend: drives the handshake and
 * tells the frontend about the connection ({@code channelActive}) only once it has succeeded, so
 * every mode sees a TLS connection exactly as a plain one, only decrypted. The access-log record
 * gets the protocol and suite ({@code tls}) and the client certificate's name
 * ({@code client_cert}); the connection keeps the verified {@link PeerIdentity} for the
 * certificate-to-AE check. A failed handshake ends the connection with {@code end=tls_handshake}
 * and the reason in {@code tls_error}; the frontend never hears of it.
 *
 * <p>It sits in front of the {@link org.dicomlb.tls.TlsReadGate}, so the read that starts the
 * handshake is not mistaken for the frontend asking for data.
 */
final class TlsAccept extends ChannelInboundHandlerAdapter {
    static final String NAME = "tls-accept";
    /** Access-log values are bounded; a handshake error message is free text. */
    private static final int MAX_ERROR_LENGTH = 160;

    private final ProxyConnection connection;
    private final boolean clientCertificates;

    TlsAccept(ProxyConnection connection, boolean clientCertificates) {
        this.connection = connection;
        this.clientCertificates = clientCertificates;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // AUTO_READ is off: one read starts the handshake, the SslHandler reads on until it is done.
        ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof SslHandshakeCompletionEvent done)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (done.isSuccess()) {
            ctx.pipeline().remove(this);
            Optional<SSLSession> session = TlsChannels.session(ctx.channel());
            Optional<PeerIdentity> peer = session.flatMap(PeerIdentity::of);
            connection.record().field("tls", session.map(TlsChannels::describe).orElse(null));
            if (clientCertificates) {
                connection.record().field("client_cert", peer.map(PeerIdentity::label).orElse(null));
            }
            connection.peer(peer);
            ctx.fireChannelActive();
        } else {
            connection.record().field("tls", null);
            connection.record().field("tls_error", describe(done.cause()));
            connection.fail(EndReason.TLS_HANDSHAKE);
        }
    }

    /**
     * Until the handshake has succeeded the frontend has not seen the connection, so nothing
     * behind us may hear of errors: the SslHandler reports a failed handshake both as the
     * completion event (which decides) and as an exception, which ends here. After a failure we
     * stay, and the channel closes.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    static String describe(Throwable cause) {
        Throwable c = cause;
        while (c.getCause() != null && c.getCause() != c && c.getMessage() == null) {
            c = c.getCause();
        }
        if (c instanceof io.netty.handler.codec.DecoderException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof io.netty.handler.ssl.NotSslRecordException) {
            // Its message carries the client's bytes in hex: plain HTTP with its credentials, say.
            return "not an SSL/TLS record";
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.length() > MAX_ERROR_LENGTH ? m.substring(0, MAX_ERROR_LENGTH) : m;
    }
}
