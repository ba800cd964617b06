package org.dicomlb.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** TLS facts and actions on a channel that may or may not carry an {@link SslHandler}. */
public final class TlsChannels {
    private TlsChannels() {
    }

    /** The TLS session of a channel whose handshake has finished, if it has TLS. */
    public static Optional<SSLSession> session(Channel ch) {
        SslHandler h = ch.pipeline().get(SslHandler.class);
        return h == null || !h.handshakeFuture().isSuccess() ? Optional.empty() : Optional.of(h.engine().getSession());
    }

    /** {@code TLSv1.3/TLS_AES_256_GCM_SHA384}: what the access log shows of a session. */
    public static String describe(SSLSession s) {
        return s.getProtocol() + "/" + s.getCipherSuite();
    }

    /**
     * Half-closes our side: with TLS, a close_notify first, so the peer reads an orderly end of
     * the TLS stream rather than a truncation; then the TCP FIN.
     */
    public static void shutdownOutput(DuplexChannel ch) {
        SslHandler h = ch.pipeline().get(SslHandler.class);
        if (h == null || !h.handshakeFuture().isSuccess()) {
            ch.shutdownOutput();
            return;
        }
        ChannelFuture notify = h.closeOutbound();
        notify.addListener(f -> {
            if (ch.isActive() && !ch.isOutputShutdown()) {
                ch.shutdownOutput();
            }
        });
    }
}
