package org.dicomlb.dicom.echo;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.concurrent.CompletableFuture;
import org.dicomlb.dicom.netty.DicomChannels;
import org.dicomlb.io.SystemErrors;

/**
 * A non-blocking C-ECHO service class user (PS3.4 annex A, PS3.7 §9.1.5). Each
 * {@link #echo(EchoRequest)} opens one connection on the caller's event loop group, proposes
 * Verification with implicit VR little endian, sends one C-ECHO-RQ, releases the association
 * and closes. Nothing blocks; the returned future completes on an event loop once the channel
 * is closed, never later than the request's timeout (plus scheduling slack).
 *
 * <p>Thread-safe: one instance serves any number of concurrent echoes.
 */
public final class EchoScu {
    /** Largest PDU we accept from the peer; an echo exchange needs a few hundred octets. */
    static final int MAX_RECEIVE_PDU = 64 * 1024;
    /** Our advertised max length (0x51): what we read in a P-DATA-TF. */
    static final long ADVERTISED_MAX_LENGTH = 16_384;

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    /** Makes the TLS handler for a connection to an address; null for plain DICOM. */
    private final BiFunction<ByteBufAllocator, InetSocketAddress, SslHandler> tls;

    /**
     * @param group        where connections run, e.g. the health checker's own group
     * @param channelClass a socket channel class matching {@code group}'s transport
     */
    public EchoScu(EventLoopGroup group, Class<? extends Channel> channelClass) {
        this(group, channelClass, null);
    }

    private EchoScu(EventLoopGroup group, Class<? extends Channel> channelClass,
                    BiFunction<ByteBufAllocator, InetSocketAddress, SslHandler> tls) {
        this.group = Objects.requireNonNull(group, "group");
        this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
        this.tls = tls;
    }

    /**
     * The same SCU speaking DICOM over TLS (PS3.15): each connection gets the handler {@code tls}
     * makes for the peer's address; the association starts once the handshake has succeeded, and
     * a failed handshake is a protocol error naming its cause.
     */
    public EchoScu withTls(BiFunction<ByteBufAllocator, InetSocketAddress, SslHandler> tls) {
        return new EchoScu(group, channelClass, Objects.requireNonNull(tls, "tls"));
    }

    public CompletableFuture<EchoResult> echo(EchoRequest request) {
        CompletableFuture<EchoResult> result = new CompletableFuture<>();
        long started = System.nanoTime();
        EchoHandler handler = new EchoHandler(request, started);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        Math.max(1, request.timeout().toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            // The A-ASSOCIATE-RQ written on connect waits in the SslHandler for the handshake.
                            SslHandler ssl = tls.apply(ch.alloc(), request.address());
                            ch.pipeline().addLast("tls", ssl);
                            ssl.handshakeFuture().addListener(f -> {
                                if (!f.isSuccess()) {
                                    handler.decide(new EchoResult.ProtocolError("TLS handshake failed: " + tlsCause(f.cause())));
                                }
                            });
                        }
                        DicomChannels.addPduCodec(ch.pipeline(), MAX_RECEIVE_PDU);
                        ch.pipeline().addLast("echo", handler);
                    }
                });
        bootstrap.connect(request.address()).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                // The handler has decided by the time the channel closes, whatever closed it.
                f.channel().closeFuture().addListener(c -> result.complete(handler.outcome()));
                return;
            }
            // Decided here, not on close: a failed connect may close the channel before this
            // listener runs, and a channel that never registered (group shut down) never closes.
            Throwable cause = f.cause();
            handler.decide(cause instanceof ConnectTimeoutException
                    ? new EchoResult.Timeout(EchoResult.Phase.CONNECT)
                    : new EchoResult.ConnectFailed(describe(cause), SystemErrors.outOfDescriptors(cause)));
            result.complete(handler.outcome());
            f.channel().close();
        });
        return result;
    }

    private static String tlsCause(Throwable cause) {
        Throwable c = cause;
        if (c instanceof io.netty.handler.codec.DecoderException && c.getCause() != null) {
            c = c.getCause();
        }
        return describe(c);
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        String m = cause.getMessage();
        return m == null ? cause.getClass().getSimpleName() : m;
    }
}
