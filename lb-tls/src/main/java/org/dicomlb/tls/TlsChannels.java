package org.dicomlb.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.dicomlb.io.HalfClose;

/** TLS facts and actions on a channel that may or may not carry an {@link SslHandler}. */
public final class TlsChannels {
    private TlsChannels() {
    }

    /** The TLS session of a channel whose handshake has finished, if it has TLS. */
    public static Optional<SSLSession> session(Channel ch) {
        SslHandler h = ch.pipeline().get(SslHandler.class);
        return h == null || !h.handshakeFuture().isSuccess() ? Optional.empty() : Optional.of(h.engine().getSession());
    }

    /**
     * The application protocol the TLS handshake of {@code ch} negotiated (ALPN), such as
     * {@code h2}; empty without TLS, before the handshake finished, or when the client did not ask.
     */
    public static Optional<String> applicationProtocol(Channel ch) {
        SslHandler h = ch.pipeline().get(SslHandler.class);
        if (h == null || !h.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        String p = h.engine().getApplicationProtocol();
        return p == null || p.isEmpty() ? Optional.empty() : Optional.of(p);
    }

    /** {@code TLSv1.3/TLS_AES_256_GCM_SHA384}: what the access log shows of a session. */
    public static String describe(SSLSession s) {
        return s.getProtocol() + "/" + s.getCipherSuite();
    }

    /**
     * Half-closes our side: with TLS, a close_notify first, so the peer reads an orderly end of
     * the TLS stream rather than a truncation; then the TCP FIN ({@link HalfClose}).
     */
    public static void shutdownOutput(DuplexChannel ch) {
        SslHandler h = ch.pipeline().get(SslHandler.class);
        if (h == null || !h.handshakeFuture().isSuccess()) {
            HalfClose.shutdownOutput(ch);
            return;
        }
        ChannelFuture notify = h.closeOutbound();
        notify.addListener(f -> {
            if (ch.isActive() && !ch.isOutputShutdown()) {
                HalfClose.shutdownOutput(ch);
            }
        });
    }
}
