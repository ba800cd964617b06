package org.dicomlb.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.Timeouts;
import org.dicomlb.tls.TlsChannels;

/**
 * The requests of one HTTP/1.1 client connection, one after the other, or the one request of an
 * HTTP/2 stream: the last handler behind the codec that turns the client's bytes into
 * {@code HttpRequest} and {@code HttpContent}. It starts an {@link Exchange} per request, holds
 * what the client sends ahead (pipelined requests) until the exchange before has ended, and keeps
 * one timer for whatever the stream is waiting for:
 *
 * <ul>
 *   <li>the first request's headers, {@code timeouts.request} from the start; a further request,
 *       {@code timeouts.keep-alive} of silence, then {@code timeouts.request} from its first byte.
 *       Silence ends the connection quietly; a request started and not finished gets 408;</li>
 *   <li>during an exchange, what the exchange waits for ({@link Exchange#deadline}).</li>
 * </ul>
 *
 * <p>Behind a request that opens a WebSocket ({@link Headers#opensWebSocket}) the client's bytes
 * are not HTTP until the backend has refused the upgrade: they are the tunnel's first bytes if it
 * agrees (101), which a client may send before the 101 arrives, or a request pipelined behind
 * the upgrade if it refuses. So the codec's decoder is taken out at that request's end, before it
 * parses anything further (it would skip octets it takes for line noise, or answer 400 to a
 * frame): what came behind is kept as bytes, for the tunnel, or for a new codec once the refusal
 * has been answered.
 *
 * <p>The timer is re-armed only when a deadline moves earlier than the one it is set for; a
 * deadline that moved later is found when it fires, so a busy kept-alive connection costs no timer
 * operations per request. AUTO_READ is off: the client is read while a request is awaited, and
 * during an exchange only as fast as its backend takes the request body.
 */
final class RequestStream extends ChannelInboundHandlerAdapter {
    static final String NAME = "http-requests";
    /** How long a connection closed with part of a request body unread keeps reading it (see {@link #linger}). */
    static final Duration LINGER = Duration.ofSeconds(2);
    /**
     * Objects (requests and their content) held ahead of the current exchange, at most. A client
     * that pipelines more gets the requests held answered, the last with {@code Connection: close},
     * and resends the rest on a new connection (RFC 9112 section 9.3.2).
     */
    static final int MAX_HELD = 1024;

    private enum Phase { NEW, WAITING, EXCHANGE, LINGERING, DONE }

    private final ClientSession session;
    private final boolean multiplexed;
    private final ByteWatch watch;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /**
     * Bytes read behind a WebSocket upgrade request, with the decoder out. Only what the reads that
     * brought the request carried: nothing asks the client for more until the upgrade's answer.
     */
    private final ArrayDeque<ByteBuf> afterUpgrade = new ArrayDeque<>();
    /** The request being read opens a WebSocket: the decoder comes out at its end. */
    private boolean upgradeAhead;
    /** The codec's decoder is out (see the class comment), until the upgrade is refused. */
    private boolean decoderOut;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.NEW;
    private Exchange exchange;
    /** The connection goes on after the current exchange (HTTP/1.1 keep-alive). */
    private boolean keepAlive = true;
    private boolean inputClosed;
    /** More was pipelined than is held: nothing after the requests held is served. */
    private boolean full;
    /** dicomlb is stopping or the listener was removed: the next response is the connection's last. */
    private boolean goingAway;
    private boolean draining;
    /** Between a read's first message and its read-complete: whatever is written now is flushed then. */
    private boolean reading;
    private long waitStart;
    private long lingerStart;
    private int served;
    private ScheduledFuture<?> timer;
    /** See {@link #lastWrite}. */
    private ChannelFuture lastWrite;
    private long timerAt;

    /**
     * @param multiplexed an HTTP/2 stream (one request) rather than an HTTP/1.1 connection
     * @param watch       the first-byte watch in front of the HTTP/1.1 codec; null for a stream
     */
    RequestStream(ClientSession session, boolean multiplexed, ByteWatch watch) {
        this.session = session;
        this.multiplexed = multiplexed;
        this.watch = watch;
    }

    ClientSession session() {
        return session;
    }

    boolean multiplexed() {
        return multiplexed;
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    /**
     * When the request now beginning began ({@link System#nanoTime()}): its first byte's arrival,
     * or now when that is not known (an HTTP/2 stream; a pipelined request read with the one before).
     */
    long requestStart() {
        long first = watch == null ? 0 : watch.firstByteAt();
        return first != 0 ? first : System.nanoTime();
    }

    /**
     * Whether the client connection continues after the current exchange, as far as the client
     * said: a request it pipelined before half-closing (or before more than dicomlb holds) is still
     * to be answered.
     */
    boolean keepAlive() {
        return keepAlive && !goingAway && ((!inputClosed && !full) || heldRequest() || !afterUpgrade.isEmpty());
    }

    Timeouts timeouts() {
        return session.config().timeouts();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // An HTTP/2 stream starts when its channel does; an HTTP/1.1 connection when the frontend says.
        if (multiplexed) {
            start();
        }
        ctx.fireChannelActive();
    }

    /** Starts awaiting the first request. */
    void start() {
        if (phase != Phase.NEW) {
            return;
        }
        awaitRequest();
        if (phase == Phase.WAITING) {
            ctx.read();
        }
    }

    private void awaitRequest() {
        awaitRequest(System.nanoTime());
    }

    /** Awaits the next request, the keep-alive timeout running from {@code now}. */
    private void awaitRequest(long now) {
        phase = Phase.WAITING;
        waitStart = now;
        if (watch != null) {
            watch.arm();
        }
        rearm();
        drainHeld();
    }

    /**
     * Whether the client's messages of one read are being delivered: {@link #channelReadComplete}
     * follows, and with it {@link Exchange#clientReadComplete}, which flushes what the exchange
     * wrote to its backend meanwhile. A request's head and its end (a GET's empty last content)
     * come in one read and leave in one flush.
     */
    boolean reading() {
        return reading;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (multiplexed && msg instanceof FullHttpRequest whole) {
            // An HTTP/2 request whose HEADERS ended the stream comes whole, its (empty) body a pooled
            // buffer. As a head and an end, like HTTP/1.1's, the body is released wherever content
            // is (held, pending, dropped): the head alone would be released nowhere, and every
            // stream reset or answered by dicomlb before a backend took it would leak its buffer.
            // (HTTP/1.1's codec makes a whole request only of one it could not read, answered 400
            // at once and never sent on.)
            HttpRequest head = new DefaultHttpRequest(whole.protocolVersion(), whole.method(), whole.uri(), whole.headers());
            head.setDecoderResult(whole.decoderResult());
            channelRead(ctx, head);
            channelRead(ctx, new DefaultLastHttpContent(whole.content(), whole.trailingHeaders()));
            return;
        }
        reading = true;
        if (full) {
            // Pipelined beyond what is held: the client resends it after the connection closes.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf b) {
            afterUpgrade.add(b);
            return;
        }
        if (!multiplexed && msg instanceof HttpRequest r) {
            upgradeAhead = Headers.opensWebSocket(r);
        }
        switch (phase) {
            case WAITING -> {
                if (msg instanceof HttpRequest r && held.isEmpty()) {
                    begin(r, upgradeAhead);
                } else if (msg instanceof HttpRequest) {
                    hold(msg);
                } else {
                    // Content with no request to belong to (the rest of a body already answered): dropped.
                    ReferenceCountUtil.release(msg);
                }
            }
            case EXCHANGE -> {
                if (held.isEmpty() && exchange.takes(msg)) {
                    exchange.clientContent(msg);
                } else {
                    hold(msg);
                }
            }
            default -> ReferenceCountUtil.release(msg);
        }
        if (upgradeAhead && msg instanceof LastHttpContent) {
            upgradeAhead = false;
            stopDecoding();
        }
    }

    /**
     * Takes the decoder out at the end of a WebSocket upgrade request, while its codec is still
     * delivering that request: the codec then decodes nothing further, and hands what it holds
     * beyond the request to us as bytes (back into {@link #channelRead}, from here).
     */
    private void stopDecoding() {
        HttpServerCodec codec = ctx.pipeline().get(HttpServerCodec.class);
        if (codec != null && ctx.channel().isActive()) {
            decoderOut = true;
            codec.removeInboundHandler();
        }
    }

    /**
     * The upgrade was refused and answered, and the connection goes on as HTTP: a new codec in the
     * place of the one whose decoder came out (its encoder has answered every request it decoded),
     * fed what came behind the upgrade request as if just read.
     */
    private void resumeDecoding() {
        decoderOut = false;
        ChannelPipeline p = ctx.pipeline();
        p.replace(HttpServerCodec.class, HttpFrontend.CODEC, HttpFrontend.codec(session.initialMode()));
        ChannelHandlerContext w = p.context(watch);
        List<ByteBuf> bytes = new ArrayList<>(afterUpgrade);
        afterUpgrade.clear();
        int i = 0;
        // Until they bring another upgrade request, whose end takes this decoder out in turn.
        for (; i < bytes.size() && !decoderOut && ctx.channel().isActive(); i++) {
            watch.channelRead(w, bytes.get(i));
        }
        for (; i < bytes.size(); i++) {
            if (decoderOut && ctx.channel().isActive()) {
                afterUpgrade.add(bytes.get(i));
            } else {
                bytes.get(i).release();
            }
        }
        if (!bytes.isEmpty()) {
            w.fireChannelReadComplete();
        }
        if (inputClosed && ctx.channel().isActive()) {
            // The new codec ends a request cut off by the client's FIN, as the first would have.
            w.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
    }

    private void hold(Object msg) {
        if (held.size() >= MAX_HELD) {
            // The requests held whole are answered; a part of one, this and what follows are not.
            ReferenceCountUtil.release(msg);
            while (!held.isEmpty() && !(held.peekLast() instanceof LastHttpContent)) {
                ReferenceCountUtil.release(held.pollLast());
            }
            full = true;
            return;
        }
        held.add(msg);
    }

    /** Starts the requests held while the one before ran, until one does not finish at once. */
    private void drainHeld() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (phase == Phase.WAITING && !held.isEmpty()) {
                Object next = held.poll();
                if (next instanceof HttpRequest r) {
                    // Read earlier: upgradeAhead has moved on to the requests read after it.
                    begin(r, !multiplexed && Headers.opensWebSocket(r));
                } else {
                    ReferenceCountUtil.release(next);
                }
            }
            // The exchange just started takes the content that came with it, as if just read.
            boolean fed = false;
            while (phase == Phase.EXCHANGE && !held.isEmpty() && exchange.takes(held.peek())) {
                exchange.clientContent(held.poll());
                fed = true;
            }
            if (fed && phase == Phase.EXCHANGE) {
                exchange.clientReadComplete();
            }
        } finally {
            draining = false;
        }
    }

    /** {@code websocket}: the request opens a WebSocket ({@link Headers#opensWebSocket}), asked once as it was read. */
    private void begin(HttpRequest request, boolean websocket) {
        phase = Phase.EXCHANGE;
        if (watch != null) {
            watch.disarm();
        }
        if (!multiplexed && !HttpUtil.isKeepAlive(request)) {
            keepAlive = false;
        }
        exchange = new Exchange(this, request, websocket);
        exchange.start();
        if (phase == Phase.EXCHANGE) {
            rearm();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (phase == Phase.EXCHANGE) {
            exchange.clientReadComplete();
        } else if (phase == Phase.LINGERING) {
            ctx.read();
        }
        // While waiting, the codec asks for more by itself until a whole request is in.
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (phase == Phase.EXCHANGE) {
            exchange.clientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Asks the client for more (request body), unless it has said all it will (a read then fails). */
    void read() {
        if (!inputClosed) {
            ctx.read();
        }
    }

    /**
     * The current exchange has ended.
     *
     * @param close      the client connection cannot go on (the exchange said so, or the client did)
     * @param bodyUnread part of the request body is still coming, unread: the connection cannot be
     *                   used for another request
     */
    void exchangeDone(boolean close, boolean bodyUnread) {
        exchangeDone(close, bodyUnread, System.nanoTime());
    }

    /** {@link #exchangeDone(boolean, boolean)} at {@code now}, a {@link System#nanoTime()} the exchange has just read. */
    void exchangeDone(boolean close, boolean bodyUnread, long now) {
        exchange = null;
        served++;
        if (multiplexed) {
            phase = Phase.DONE;
            cancelTimer();
            releaseHeld();
            if (bodyUnread || close) {
                // After the response's last frame has gone: a reset sent at once would overtake the
                // DATA that waits for the client's flow-control window, and the client would see the
                // reset instead of the answer. A client still sending is asked to stop without error
                // (RFC 9113 section 8.1); a finished stream is closed already.
                ChannelFuture last = lastWrite;
                lastWrite = null;
                if (last == null || last.isDone()) {
                    endStream(bodyUnread);
                } else {
                    last.addListener(f -> endStream(bodyUnread));
                }
            }
            return;
        }
        if (bodyUnread) {
            linger();
            return;
        }
        // Going away: a response whose head went out before dicomlb was told had no Connection:
        // close, but it is complete, so the connection is between requests and may end now.
        if (close || !keepAlive()) {
            close(EndReason.COMPLETE);
            return;
        }
        awaitRequest(now);
        if (decoderOut && phase == Phase.WAITING) {
            // The refused upgrade's exchange is over (nothing was decoded behind it to begin).
            resumeDecoding();
        }
        if (phase == Phase.WAITING) {
            ctx.read();
        }
    }

    /**
     * dicomlb is stopping, or a reload removed the listener ({@link
     * org.dicomlb.engine.relay.ProxyConnection#drain}); HTTP/1.1 only (HTTP/2 goes away with its
     * connection, {@link Http2Connection#goAway}). A request in progress is answered, its response
     * with {@code Connection: close}, and the connection ends after it; requests pipelined behind
     * it are not served (the client resends them, RFC 9112 section 9.3.2). A kept-alive
     * connection between requests ends now, a moment at which a client expects a close and
     * resends what crossed it. A new connection that has not sent its first request yet is not
     * closed: its request is answered, with {@code Connection: close}, as a client does not
     * expect to lose the first request of a connection it has just opened;
     * {@code timeouts.request} bounds the wait.
     */
    void goAway(EndReason why) {
        if (multiplexed || goingAway) {
            return;
        }
        goingAway = true;
        boolean between = phase == Phase.WAITING && served > 0 && watch.firstByteAt() == 0 && !heldRequest();
        if (between) {
            close(why);
        }
    }

    /** The write of the current response's end, on an HTTP/2 stream: the stream ends after it. */
    void lastWrite(ChannelFuture f) {
        lastWrite = f;
    }

    private void endStream(boolean bodyUnread) {
        if (bodyUnread && ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR)).addListener(f -> ctx.close());
        } else {
            ctx.close();
        }
    }

    private boolean heldRequest() {
        for (Object o : held) {
            if (o instanceof HttpRequest) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client is still sending a body dicomlb will not read (it answered early): closing now
     * would make the kernel reset the connection over unread data, which can destroy the answer
     * before the client reads it. So: send the answer, half-close, and read and drop what still
     * comes for up to {@link #LINGER}, then close.
     */
    private void linger() {
        phase = Phase.LINGERING;
        releaseHeld();
        lingerStart = System.nanoTime();
        rearm();
        if (ctx.channel() instanceof DuplexChannel d) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && d.isActive() && !d.isOutputShutdown()) {
                    TlsChannels.shutdownOutput(d);
                }
            });
        } else {
            ctx.flush();
        }
        ctx.read();
    }

    // ---- the timer --------------------------------------------------------------------------------

    /** Makes sure the timer fires no later than the current deadline. */
    void rearm() {
        long d = deadline();
        if (d == Long.MAX_VALUE || (timer != null && timerAt <= d)) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        schedule(d);
    }

    private void schedule(long at) {
        timerAt = at;
        timer = ctx.executor().schedule(this::fire, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fire() {
        timer = null;
        if (phase == Phase.DONE || phase == Phase.NEW) {
            return;
        }
        long d = deadline();
        if (d == Long.MAX_VALUE) {
            return;
        }
        long now = System.nanoTime();
        if (now - d >= 0) {
            expired(now);
        } else {
            schedule(d);
        }
    }

    private long deadline() {
        Timeouts t = timeouts();
        return switch (phase) {
            case WAITING -> {
                long first = watch == null ? 0 : watch.firstByteAt();
                if (first != 0) {
                    yield first + t.request().toNanos();
                }
                yield waitStart + (served == 0 ? t.request() : t.keepAlive()).toNanos();
            }
            case EXCHANGE -> exchange.deadline();
            case LINGERING -> lingerStart + LINGER.toNanos();
            default -> Long.MAX_VALUE;
        };
    }

    private void expired(long now) {
        switch (phase) {
            case WAITING -> {
                if (watch != null && watch.firstByteAt() != 0) {
                    // Part of a request came and the rest did not: tell the client why it is closed.
                    Exchange.requestTimeout(this);
                } else {
                    // A connection that says nothing (between requests, or never) just ends.
                    phase = Phase.DONE;
                    releaseHeld();
                    session.close(EndReason.IDLE_TIMEOUT);
                }
            }
            case EXCHANGE -> exchange.expired(now);
            case LINGERING -> {
                phase = Phase.DONE;
                session.close(EndReason.COMPLETE);
            }
            default -> {
            }
        }
    }

    // ---- the client going away --------------------------------------------------------------------

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        boolean endOfInput = evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete
                || evt instanceof SslCloseCompletionEvent;
        if (!endOfInput || multiplexed) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (inputClosed) {
            return;
        }
        // The client half-closed (its FIN, or its TLS close_notify): what it sent is all there will be.
        inputClosed = true;
        switch (phase) {
            case WAITING -> {
                if (!heldRequest()) {
                    phase = Phase.DONE;
                    releaseHeld();
                    session.close(EndReason.CLIENT_CLOSE);
                }
            }
            case EXCHANGE -> exchange.clientInputClosed();
            case LINGERING -> {
                phase = Phase.DONE;
                session.close(EndReason.COMPLETE);
            }
            default -> {
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        phase = Phase.DONE;
        cancelTimer();
        releaseHeld();
        if (exchange != null) {
            Exchange e = exchange;
            exchange = null;
            e.clientGone();
        }
        if (!multiplexed) {
            session.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (full && cause instanceof DecoderException) {
            // The codec's own limit on pipelined requests, met in input already being dropped.
            return;
        }
        if (multiplexed && (cause instanceof Http2Exception || cause instanceof DecoderException)) {
            // A malformed stream (RFC 9113 section 8.1.1) is reset with the error's code
            // (PROTOCOL_ERROR), not with the CANCEL a close sends: by Netty's multiplexer after
            // this when its codec found it, by us when the stream's conversion to HTTP/1.1 did
            // (a missing :path, say, which Netty reports as it can).
            if (cause instanceof DecoderException && ctx.channel().isActive()) {
                Http2Error error = cause.getCause() instanceof Http2Exception e ? e.error() : Http2Error.PROTOCOL_ERROR;
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(error)).addListener(f -> ctx.close());
            }
            if (exchange != null) {
                Exchange e = exchange;
                exchange = null;
                e.clientFailed(EndReason.PROTOCOL);
            } else if (phase == Phase.WAITING || phase == Phase.NEW) {
                Exchange.malformed(this);
            }
            phase = Phase.DONE;
            cancelTimer();
            releaseHeld();
            return;
        }
        if (exchange != null) {
            Exchange e = exchange;
            exchange = null;
            e.clientGone();
        }
        phase = Phase.DONE;
        if (multiplexed) {
            ctx.close();
        } else {
            session.close(EndReason.CLIENT_ERROR);
        }
    }

    /** Ends the client connection (HTTP/1.1) or the stream (HTTP/2). */
    void close(EndReason reason) {
        phase = Phase.DONE;
        cancelTimer();
        releaseHeld();
        if (multiplexed) {
            ctx.close();
        } else {
            session.close(reason);
        }
    }

    /**
     * The exchange is turning the connection into a byte tunnel (WebSocket): no more requests.
     * Returns what the client sent behind its upgrade request, in order, for the backend: RFC
     * 6455 section 4.1 has a client wait for the 101, but one that sends its first frame at once
     * loses nothing.
     */
    List<ByteBuf> handOver() {
        phase = Phase.DONE;
        cancelTimer();
        List<ByteBuf> bytes = new ArrayList<>(afterUpgrade);
        afterUpgrade.clear();
        releaseHeld();
        return bytes;
    }

    /** Whether the client has half-closed (sent all it will). */
    boolean inputClosed() {
        return inputClosed;
    }

    private void releaseHeld() {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
        while (!afterUpgrade.isEmpty()) {
            afterUpgrade.poll().release();
        }
    }

    int served() {
        return served;
    }

    /** A request's content, or anything else, for the exchange (see {@link Exchange#takes}). */
    static boolean isContent(Object msg) {
        return msg instanceof HttpContent && !(msg instanceof HttpRequest);
    }
}
