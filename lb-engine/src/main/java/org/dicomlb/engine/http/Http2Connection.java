package org.dicomlb.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.access.ConnectionRecord;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.HttpMode;
import org.dicomlb.engine.relay.RelayOptions;

/**
 * An HTTP/2 client connection (ALPN {@code h2} on a TLS listener). Netty's frame codec and
 * multiplexer make each stream a child channel; each gets a frame-to-{@code HttpObject}
 * translation and a {@link RequestStream}, so every request, whatever the client spoke, takes the
 * same path to an HTTP/1.1 backend (docs/http.md explains the choice).
 *
 * <p>Flow control is the backpressure: a stream's channel is read (and the client's window given
 * back) only as fast as its backend takes the body, so what one connection may have in flight
 * towards dicomlb is bounded by its windows: {@value #STREAM_WINDOW} octets per stream, at most
 * {@value #CONNECTION_WINDOW} for the connection, at most {@value #MAX_STREAMS} streams at once.
 * The connection itself is read continuously (its control frames must flow). A connection with no
 * open stream for {@code timeouts.keep-alive} is closed with GOAWAY.
 *
 * <p>When dicomlb stops, or a reload removes the listener, the connection goes away at once
 * ({@link #goAway}) rather than serving new streams through the shutdown grace.
 */
final class Http2Connection extends ChannelInboundHandlerAdapter {
    static final int STREAM_WINDOW = 256 * 1024;
    static final int CONNECTION_WINDOW = 1024 * 1024;
    static final int MAX_STREAMS = 128;
    static final int MAX_RESETS = 200;
    static final int RESET_WINDOW_SECONDS = 30;
    static final int MAX_EMPTY_DATA = 2;
    static final int MAX_SMALL_CONTINUATIONS = 16;
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;

    private final ClientSession session;
    private ChannelHandlerContext ctx;
    private int open;
    private long idleSince = System.nanoTime();
    private ScheduledFuture<?> timer;
    /** Why the connection went away ({@link #goAway}); null while it serves new streams. */
    private EndReason goingAway;

    private Http2Connection(ClientSession session) {
        this.session = session;
    }

    /** Puts HTTP/2 on the connection, behind the handler named {@code after}. */
    static Http2Connection install(ChannelPipeline p, String after, ClientSession session, HttpMode mode) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(MAX_STREAMS)
                .initialWindowSize(STREAM_WINDOW)
                .maxHeaderListSize(mode.maxHeaderSize());
        // The abuse limits (docs/security.md, "HTTP/2 abuse"), spelt out rather than left to the
        // codec's defaults, which are these today, so that what a client gets stays what is
        // documented and tested. Each ends the connection with GOAWAY ENHANCE_YOUR_CALM.
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer().initialSettings(settings)
                // Rapid reset: 200 in 30 seconds leave room for a viewer cancelling its prefetches.
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
                // Empty DATA frames without END_STREAM cost a read each and carry nothing.
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA)
                // CONTINUATION frames too small to be a real header block's fragments.
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATIONS)
                // Answers (PING and SETTINGS acks, resets) queued for a client that does not read them.
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .build();
        Http2Connection connection = new Http2Connection(session);
        p.addAfter(after, "h2-codec", codec);
        p.addAfter("h2-codec", "h2-streams", new Http2MultiplexHandler(new Streams(connection)));
        p.addAfter("h2-streams", "h2-connection", connection);
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                connection.goAwaySent(errorCode);
            }
        });
        try {
            codec.connection().local().flowController().incrementWindowSize(codec.connection().connectionStream(),
                    CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
        } catch (Http2Exception e) {
            throw new IllegalStateException("cannot widen the HTTP/2 connection window", e);
        }
        p.channel().config().setAutoRead(true);
        return connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        arm();
    }

    private void arm() {
        long keep = session.config().timeouts().keepAlive().toNanos();
        long wait = Math.max(0, idleSince + keep - System.nanoTime());
        timer = ctx.executor().schedule(this::check, wait, TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long keep = session.config().timeouts().keepAlive().toNanos();
        if (open == 0 && System.nanoTime() - idleSince >= keep) {
            // Closing the codec's channel sends GOAWAY first.
            session.close(EndReason.IDLE_TIMEOUT);
            return;
        }
        arm();
    }

    void streamOpened() {
        open++;
    }

    void streamClosed() {
        if (--open == 0) {
            idleSince = System.nanoTime();
            if (goingAway != null && ctx.channel().isActive()) {
                session.close(goingAway);
            }
        }
    }

    /**
     * dicomlb is stopping, or a reload removed the listener: GOAWAY (NO_ERROR) at once, whose
     * last-stream-id Netty's codec sets to the last stream the client opened, so the client opens
     * no new stream here and knows that any it opened meanwhile was not processed (the codec
     * ignores them; RFC 9113 section 6.8 lets the client retry them elsewhere). The streams in
     * progress run to their end and the connection closes after the last.
     */
    void goAway(EndReason why) {
        if (goingAway != null || !ctx.channel().isActive()) {
            return;
        }
        goingAway = why;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        if (open == 0) {
            session.close(why);
        }
    }

    /**
     * The codec sent GOAWAY. With an error code it ends the connection for something the client
     * did: a frame no peer may send (PROTOCOL_ERROR ...) or a flood of its limits
     * (ENHANCE_YOUR_CALM: resets, empty DATA frames, small CONTINUATION frames, control frames it
     * does not read the answers to). Each request of such a connection has its own line already,
     * most of them {@code client_aborted}; the connection's line, with the code, says that dicomlb
     * ended it and why, and the counter lets an operator alert on it. The codec's own GOAWAYs
     * without an error (ours when going away) are not counted.
     */
    private void goAwaySent(long errorCode) {
        if (errorCode == Http2Error.NO_ERROR.code()) {
            return;
        }
        Http2Error error = Http2Error.valueOf(errorCode);
        String code = error == null ? "unknown" : error.name().toLowerCase(Locale.ROOT);
        ConnectionRecord record = session.connection.record();
        record.field("h2_error", code);
        record.end(EndReason.PROTOCOL);
        session.connection.logConnection(true);
        session.shared.metrics().connectionError(session.listener.meters(), code);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        session.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception) {
            // A connection error the codec answers itself, with GOAWAY carrying its error code
            // (PROTOCOL_ERROR ...), then closes: closing first would send GOAWAY with NO_ERROR.
            session.connection.record().end(EndReason.PROTOCOL);
            return;
        }
        session.close(EndReason.CLIENT_ERROR);
    }

    /** Each new stream's pipeline. */
    private static final class Streams extends ChannelInitializer<Http2StreamChannel> {
        private final Http2Connection connection;

        Streams(Http2Connection connection) {
            this.connection = connection;
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.config().setAutoRead(false);
            ch.config().setWriteBufferWaterMark(RelayOptions.WATER_MARK);
            ch.config().setAllocator(RelayOptions.BUFFERS);
            ch.pipeline().addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true));
            ch.pipeline().addLast(RequestStream.NAME, new RequestStream(connection.session, true, null));
            connection.streamOpened();
            ch.closeFuture().addListener(f -> connection.streamClosed());
        }
    }
}
