package org.dicomlb.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.HttpMode;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.tls.TlsChannels;

/**
 * The first handler of a {@code mode: http} connection (behind TLS on a TLS listener, whose
 * handshake has then succeeded): waits for the listener's admission ({@code max-connections}),
 * then puts the connection's protocol in its place: HTTP/2 when the TLS handshake negotiated
 * {@code h2} (ALPN), HTTP/1.1 otherwise. A plain listener speaks HTTP/1.1 only (no cleartext
 * HTTP/2, "h2c"). Bytes that arrive before then (what came behind a PROXY header, or in the TLS
 * handshake's last read) are held and handed to the protocol's codec first.
 */
final class HttpFrontend extends ChannelInboundHandlerAdapter {
    /**
     * The codec's bound on requests decoded ahead of their answers: above what the request stream
     * holds ({@link RequestStream#MAX_HELD}), which answers those and closes, so that the codec
     * refuses only input already being dropped.
     */
    static final int MAX_PIPELINED = RequestStream.MAX_HELD + 1;
    /** Client bytes held before the protocol is in place, at most. */
    private static final int MAX_EARLY_BYTES = 1024 * 1024;
    /** Content the HTTP/1.1 codec hands on in one piece, at most (the socket reads up to 256 KiB). */
    static final int CHUNK = 256 * 1024;

    static final String CODEC = "http-codec";

    private final ListenerContext listener;
    private final HttpShared shared;
    private ChannelHandlerContext ctx;
    private ProxyConnection connection;
    private ListenerConfig config;
    private List<ByteBuf> early;
    private int earlyBytes;
    private boolean earlyEnd;
    private boolean started;

    HttpFrontend(ListenerContext listener, HttpShared shared) {
        this.listener = listener;
        this.shared = shared;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // One configuration for the connection's codec, even if a reload lands meanwhile.
        this.config = listener.config();
        connection = listener.open(ctx.channel());
        listener.admit(connection, this::start);
    }

    private void start() {
        if (started || !ctx.channel().isActive()) {
            return;
        }
        started = true;
        HttpMode mode = (HttpMode) config.mode();
        boolean h2 = mode.http2() && TlsChannels.applicationProtocol(ctx.channel()).filter("h2"::equals).isPresent();
        String protocol = h2 ? "HTTP/2.0" : "HTTP/1.1";
        connection.record().field("proto", protocol);
        connection.serving();
        ClientSession session = new ClientSession(listener, shared, connection, config, protocol);
        ChannelPipeline p = ctx.pipeline();
        RequestStream h1 = null;
        Http2Connection h2c = null;
        if (h2) {
            h2c = Http2Connection.install(p, ctx.name(), session, mode);
        } else {
            ByteWatch watch = new ByteWatch();
            h1 = new RequestStream(session, false, watch);
            p.addAfter(ctx.name(), ByteWatch.NAME, watch);
            p.addAfter(ByteWatch.NAME, CODEC, codec(mode));
            p.addAfter(CODEC, RequestStream.NAME, h1);
        }
        if (h1 != null) {
            h1.start();
        }
        // Through the codec just added behind us, before we leave.
        if (early != null) {
            List<ByteBuf> bytes = early;
            early = null;
            for (ByteBuf b : bytes) {
                ctx.fireChannelRead(b);
            }
            ctx.fireChannelReadComplete();
        }
        if (earlyEnd) {
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
        // After the early bytes: a GOAWAY's last stream then counts the streams they opened.
        connection.onDrain(h2c != null ? h2c::goAway : h1::goAway);
        p.remove(this);
    }

    /** The HTTP/1.1 codec of a client connection: a new connection's, or a new one after a refused WebSocket upgrade. */
    static HttpServerCodec codec(HttpMode mode) {
        HttpDecoderConfig decoding = new HttpDecoderConfig().setMaxInitialLineLength(mode.maxRequestLine())
                .setMaxHeaderSize(mode.maxHeaderSize()).setMaxChunkSize(CHUNK)
                .setTrailersFactory(SmallTrailers.INSTANCE);
        return new HttpServerCodec(decoding, MAX_PIPELINED);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf b) || earlyBytes + (long) b.readableBytes() > MAX_EARLY_BYTES) {
            ReferenceCountUtil.release(msg);
            if (connection != null) {
                connection.close(EndReason.CLIENT_ERROR);
            } else {
                ctx.close();
            }
            return;
        }
        if (early == null) {
            early = new ArrayList<>(2);
        }
        earlyBytes += b.readableBytes();
        early.add(b);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            earlyEnd = true;
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (early != null) {
            early.forEach(ByteBuf::release);
            early = null;
        }
        // Null when the connection never became ours (a failed TLS handshake ends in front of us).
        if (connection != null) {
            connection.record().end(EndReason.CLIENT_ABORTED);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (connection != null) {
            connection.record().end(EndReason.CLIENT_ERROR);
        }
        ctx.close();
    }
}
