package org.dicomlb.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dicomlb.engine.access.ConnectionRecord;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.HttpMode;
import org.dicomlb.engine.config.HttpRoute;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.Persistence;
import org.dicomlb.engine.dial.Caller;
import org.dicomlb.engine.dial.Dialer;
import org.dicomlb.engine.dial.Handshake;
import org.dicomlb.engine.dial.ProxyHeaders;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.ListenerContext;

/**
 * One request and its response: routed to a pool, sent to a backend the {@link Dialer} found (a
 * kept-alive connection when there is one on this event loop, else a new one), its body streamed
 * to the backend and the response streamed back, each side read only as fast as the other side
 * takes it (the write buffer water marks bound what is in flight). Then the backend connection is
 * kept for the next request, or closed, and one access-log line is written.
 *
 * <p>When something goes wrong before the response has started, the client gets a short answer
 * from dicomlb itself (docs/http.md, "Error statuses"): 502 when the backend failed (connects
 * refused, reset, closed before answering, an invalid response), 503 when no backend was
 * eligible or free, 504 when the backend did not answer within {@code timeouts.response}, 408
 * when the client stalled in its request. After the response has started there is no status left
 * to give: the client's connection (HTTP/1.1) or stream (HTTP/2) is ended instead.
 *
 * <p>A request sent on a kept-alive connection that the backend closes without answering (it had
 * closed its end just as the request left) is sent again, once, on a new connection when it is
 * idempotent and carries no body; never after body bytes went out. Confined to the client
 * connection's event loop.
 */
final class Exchange implements Caller, Dialer.Outcome<Void> {
    /** The request line, logged up to this many characters. */
    private static final int MAX_LOGGED_PATH = 512;
    private static final int MAX_LOGGED_HOST = 255;
    private static final int BACKEND_CHUNK = 256 * 1024;

    /**
     * DISCARDING: dicomlb has answered before the request was all in; the rest of a short body is
     * read and dropped so the connection can serve the next request.
     */
    private enum State { NEW, DIALING, SENDING, UPGRADING, DISCARDING, DONE }

    /** A body at most this long still to come after an early answer is read and dropped; a longer one closes. */
    static final long MAX_DISCARD = 64 * 1024;

    private final RequestStream stream;
    private final ClientSession session;
    private final ListenerContext listener;
    private final ChannelHandlerContext client;
    private final HttpRequest request;
    private final ListenerConfig config;
    private final HttpMode mode;
    private final ConnectionRecord record;
    private final boolean idempotent;
    private State state = State.NEW;
    /**
     * The request opens a WebSocket, as its request stream judged it when it read it (the stream
     * stops decoding at such a request's end: what follows is the tunnel's, or, once the upgrade
     * is refused, the next request's).
     */
    private final boolean websocket;
    private HttpRoute route;
    private String poolName;
    private Pool pool;
    private Persistence persistence = Persistence.NONE;
    private Backend cookieBackend;
    private String host;

    private Channel backend;
    private Endpoint endpoint;
    private BackendHandler handler;
    private boolean reused;
    /** The idle connection handed to the dialer last; the one it takes is then a reused one. */
    private Channel offered;
    private boolean noReuse;
    private boolean retried;

    /** Request content received before a backend took the request. */
    private List<HttpContent> pending;
    private boolean requestComplete;
    private boolean requestSent;
    private long requestSentAt;
    private boolean bodySent;
    private boolean wroteBackend;

    private boolean responseStarted;
    private boolean responseComplete;
    /** An informational (1xx) response went to the client; the codec's empty end of it is dropped. */
    private boolean informational;
    private int status;
    private boolean wroteClient;
    private boolean closeAfter;
    private long lastActivity;
    /** The backend's current read has set {@link #lastActivity} already. */
    private boolean heardThisRead;
    /** Whether the client spoke HTTP/1.0 (the request's version is rewritten for the backend). */
    private boolean originalHttp10;
    /** The request came without Host, and has the address of the backend it is sent to as one. */
    private boolean hostIsBackend;
    /** The backend's response ends its connection (Connection: close, HTTP/1.0, a body ended by closing). */
    private boolean closeFromBackend;
    /** What the backend sent beyond its 101, for the tunnel (the client's is the request stream's). */
    private List<ByteBuf> tunnelFromBackend;
    private long discardStart;
    private boolean logged;

    Exchange(RequestStream stream, HttpRequest request, boolean websocket) {
        this.stream = stream;
        this.websocket = websocket;
        this.session = stream.session();
        this.listener = session.listener;
        this.client = stream.ctx();
        this.request = request;
        this.config = session.config();
        this.mode = (HttpMode) config.mode();
        this.record = new ConnectionRecord(config.name(), "http", session.connection.record(), stream.requestStart());
        this.lastActivity = record.startNanos();
        viaUpstream(session, record);
        HttpMethod m = request.method();
        this.idempotent = m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
                || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
        // Fields in the order docs/access-log.md gives them; values filled in as they are known.
        record.field("req", session.nextRequest());
        // An HTTP/1.0 request is logged as one (the connection's protocol says HTTP/1.1).
        record.field("proto", request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? "HTTP/1.0" : session.protocol);
        record.field("method", null);
        record.field("host", null);
        record.field("path", null);
        record.field("route", null);
        record.field("status", null);
        record.field("response_ms", null);
        record.field("reused", null);
    }

    // ---- the request ------------------------------------------------------------------------------

    void start() {
        requestComplete = request instanceof LastHttpContent;
        originalHttp10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            // The method and path of a request that could not be read are the codec's placeholders: not logged.
            Throwable cause = decoded.cause();
            if (cause instanceof TooLongHttpLineException) {
                answer(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is longer than "
                        + mode.maxRequestLine() + " octets", EndReason.PROTOCOL, "bad_request", true);
            } else if (cause instanceof TooLongHttpHeaderException) {
                answer(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request's header fields are larger than "
                        + mode.maxHeaderSize() + " octets", EndReason.PROTOCOL, "bad_request", true);
            } else {
                answer(HttpResponseStatus.BAD_REQUEST, "the request is not valid HTTP", EndReason.PROTOCOL, "bad_request", true);
            }
            return;
        }
        record.field("method", clip(request.method().name(), 32));
        record.field("path", clip(Headers.path(request.uri()), MAX_LOGGED_PATH));
        HttpHeaders h = request.headers();
        if (!stream.multiplexed() && request.protocolVersion().majorVersion() != 1) {
            // "HTTP/2.0" in a request line is not HTTP/2 (which starts with its preface): RFC 9112 section 2.3.
            answer(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are spoken in a request line",
                    EndReason.PROTOCOL, "bad_request", true);
            return;
        }
        if (request.method() == HttpMethod.CONNECT) {
            answer(HttpResponseStatus.METHOD_NOT_ALLOWED, "dicomlb is not a forward proxy; CONNECT is not served",
                    EndReason.PROTOCOL, "bad_request", true);
            return;
        }
        String badTarget = originForm();
        if (badTarget != null) {
            answer(HttpResponseStatus.BAD_REQUEST, badTarget, EndReason.PROTOCOL, "bad_request", true);
            return;
        }
        String hostField = h.get(HttpHeaderNames.HOST);
        if (hostField == null && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            // An HTTP/2 request's :authority arrives as Host; a backend needs one (RFC 9113 section 8.3.1).
            answer(HttpResponseStatus.BAD_REQUEST, stream.multiplexed() ? "the request has neither :authority nor Host"
                    : "an HTTP/1.1 request needs a Host header", EndReason.PROTOCOL, "bad_request", true);
            return;
        }
        if (hostField != null && Headers.repeated(h, HttpHeaderNames.HOST)) {
            answer(HttpResponseStatus.BAD_REQUEST, "the request has more than one Host header", EndReason.PROTOCOL,
                    "bad_request", true);
            return;
        }
        if (hostField != null && !Headers.validHost(hostField)) {
            // RFC 9112 section 3.2: a host and an optional port, nothing else (it routes, and backends trust it).
            answer(HttpResponseStatus.BAD_REQUEST, "the Host header is not a host and port", EndReason.PROTOCOL,
                    "bad_request", true);
            return;
        }
        if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            if (!Headers.onlyChunked(h)) {
                // A coding dicomlb does not know (RFC 9112 section 6.1) leaves the body's end unknown.
                answer(HttpResponseStatus.NOT_IMPLEMENTED, "only the chunked transfer coding is understood",
                        EndReason.PROTOCOL, "bad_request", true);
                return;
            }
            // One field in one spelling for the backend, which must not read the framing otherwise than dicomlb did.
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        String expect = h.get(HttpHeaderNames.EXPECT);
        if (expect != null && !expect.strip().equalsIgnoreCase("100-continue")) {
            answer(HttpResponseStatus.EXPECTATION_FAILED, "only Expect: 100-continue is understood", EndReason.PROTOCOL,
                    "bad_request", true);
            return;
        }
        host = Headers.routingHost(hostField);
        record.field("host", clip(hostField == null ? null : hostField.strip(), MAX_LOGGED_HOST));
        choosePool();
        if (poolName == null) {
            answer(HttpResponseStatus.NOT_FOUND, "no route for this host and path", EndReason.NO_BACKEND, "no_route", false);
            return;
        }
        record.pool(poolName);
        pool = listener.pool(poolName);
        if (pool == null) {
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "no backend is available", EndReason.NO_BACKEND, "no_backend", false);
            return;
        }
        prepareHeaders(hostField);
        if (persistence instanceof Persistence.Cookie c) {
            String value = Headers.cookie(h, c.name());
            cookieBackend = value == null ? null : session.shared.cookies().find(c.secret(), pool, value);
        }
        dial();
    }

    /**
     * An absolute-form target (a client talking to us as to a forward proxy) becomes origin-form.
     * Returns why the target cannot be served, or null.
     */
    private String originForm() {
        String uri = request.uri();
        if (uri.startsWith("/") || (uri.equals("*") && request.method() == HttpMethod.OPTIONS)) {
            return null;
        }
        String lower = uri.toLowerCase(Locale.ROOT);
        String notAPath = "the request target is not a path";
        // HTTP/2 has its authority in :authority, never in :path (RFC 9113 section 8.3.1).
        if (stream.multiplexed() || (!lower.startsWith("http://") && !lower.startsWith("https://"))) {
            return notAPath;
        }
        try {
            URI u = new URI(uri);
            if (u.getRawAuthority() == null) {
                return notAPath;
            }
            if (u.getRawUserInfo() != null) {
                // RFC 9110 section 4.2.4: user information in an http(s) target is an error (and a password is never logged).
                record.field("path", null);
                return "the request target carries user information";
            }
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            request.setUri(u.getRawQuery() == null ? path : path + "?" + u.getRawQuery());
            // RFC 9112 section 3.2.2: the target's authority replaces any Host the client sent.
            request.headers().set(HttpHeaderNames.HOST, u.getRawAuthority());
            record.field("path", clip(path, MAX_LOGGED_PATH));
            return null;
        } catch (java.net.URISyntaxException e) {
            return notAPath;
        }
    }

    private void choosePool() {
        String path = Headers.path(request.uri());
        for (HttpRoute r : mode.routes()) {
            if (r.matches(host, path)) {
                route = r;
                poolName = r.pool();
                record.field("route", r.label());
                persistence = r.persistence().orElse(mode.persistence());
                return;
            }
        }
        poolName = config.pool();
        record.field("route", "default");
        persistence = mode.persistence();
    }

    private void prepareHeaders(String hostField) {
        HttpHeaders h = request.headers();
        Headers.removeHopByHop(h, websocket);
        if (originalHttp10) {
            // RFC 9110 section 10.1.1: a 100-continue in an HTTP/1.0 request is ignored. Such a
            // client sends its body at once and cannot read a 100; sent on as HTTP/1.1, the
            // expectation would let the backend answer without reading the body.
            h.remove(HttpHeaderNames.EXPECT);
        }
        if (stream.multiplexed()) {
            Headers.removeHttp2Extensions(h);
        }
        // Backends are spoken to in HTTP/1.1, whatever the client spoke.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        Headers.forwarded(h, mode.forwarded(), session.forwarding(),
                hostField == null ? null : hostField.strip());
        Headers.apply(h, mode.requestHeaders());
        if (route != null) {
            Headers.apply(h, route.requestHeaders());
        }
    }

    private void dial() {
        state = State.DIALING;
        Dialer.dial(this, pool, Handshake.NONE, this);
    }

    /** Whether {@code msg}, read from the client now, belongs to this exchange. */
    boolean takes(Object msg) {
        if (state == State.DISCARDING) {
            return RequestStream.isContent(msg);
        }
        return !requestComplete && RequestStream.isContent(msg) && state != State.DONE;
    }

    void clientContent(Object msg) {
        HttpContent c = (HttpContent) msg;
        if (state == State.DISCARDING) {
            boolean last = c instanceof LastHttpContent && c.decoderResult().isSuccess();
            boolean bad = c.decoderResult().isFailure();
            c.release();
            if (last || bad) {
                state = State.DONE;
                stream.exchangeDone(bad, bad);
            }
            return;
        }
        if (c.decoderResult().isFailure()) {
            c.release();
            failClient(HttpResponseStatus.BAD_REQUEST, "the request body is not valid HTTP (chunked encoding)");
            return;
        }
        int n = c.content().readableBytes();
        long now = System.nanoTime();
        lastActivity = now;
        record.addIn(n);
        boolean last = c instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
            HttpHeaders trailers = ((LastHttpContent) c).trailingHeaders();
            if (!trailers.isEmpty()) {
                Headers.filterTrailers(trailers);
            }
        }
        if (backend == null) {
            if (pending == null) {
                pending = new ArrayList<>(4);
            }
            pending.add(c);
            return;
        }
        if (n > 0) {
            bodySent = true;
            session.shared.metrics().engine().backend(endpoint.backend()).bytesIn.increment(n);
            listener.meters().bytesIn.increment(n);
        }
        backend.write(c, backend.voidPromise());
        wroteBackend = true;
        if (last) {
            requestSent(now);
        }
    }

    private void requestSent(long now) {
        requestSent = true;
        requestSentAt = now;
        stream.rearm();
    }

    void clientReadComplete() {
        if (state == State.DISCARDING) {
            stream.read();
            return;
        }
        if (wroteBackend) {
            wroteBackend = false;
            backend.flush();
        }
        if (state == State.SENDING && !requestComplete && backend.isWritable()) {
            stream.read();
        }
    }

    void backendWritabilityChanged() {
        // The backend drained below its low water mark: read more of the body.
        if (state == State.SENDING && !requestComplete && backend.isWritable()) {
            stream.read();
        }
    }

    /** The client half-closed: fine once its request is complete; otherwise it gave up. */
    void clientInputClosed() {
        if (state == State.DISCARDING) {
            state = State.DONE;
            stream.exchangeDone(true, false);
        } else if (!requestComplete && state != State.DONE) {
            abandon(EndReason.CLIENT_ABORTED);
        }
    }

    /**
     * Ends the exchange, logged with {@code reason}, without closing the client's connection or
     * stream: for a client's HTTP/2 stream that broke the protocol and is being reset by the codec
     * (and for {@link #abandon}, which closes after it).
     */
    void clientFailed(EndReason reason) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        releasePending();
        releaseBackend(false);
        finishRecord(reason);
    }

    /** The client connection (or the HTTP/2 stream) is gone. */
    void clientGone() {
        if (state == State.DISCARDING) {
            state = State.DONE;
        } else if (state != State.DONE) {
            abandon(session.lostBecause());
        }
    }

    // ---- Caller: what the dialer needs ------------------------------------------------------------

    @Override
    public Channel connection() {
        return session.channel;
    }

    @Override
    public boolean waiting() {
        return state == State.DIALING && client.channel().isActive();
    }

    @Override
    public InetSocketAddress client() {
        return session.client();
    }

    @Override
    public ListenerContext listener() {
        return listener;
    }

    @Override
    public ConnectionRecord record() {
        return record;
    }

    @Override
    public void taken(Channel ch, Endpoint e) {
        this.backend = ch;
        this.endpoint = e;
        this.reused = ch == offered;
    }

    @Override
    public Endpoint firstChoice(Pool p) {
        return switch (persistence) {
            case Persistence.Cookie c -> {
                if (cookieBackend == null || cookieBackend.pool() != p) {
                    yield null;
                }
                var eligible = p.snapshot().eligible();
                for (Endpoint e : cookieBackend.endpoints()) {
                    if (eligible.contains(e) && e.tryAcquire()) {
                        yield e;
                    }
                }
                yield null;
            }
            case Persistence.Source s -> session.shared.sources().of(p).select(session.client().getAddress(), java.util.Set.of());
            case Persistence.None n -> null;
        };
    }

    @Override
    public Channel idle(Endpoint e) {
        if (noReuse || mode.backendKeepAlive().maxIdle() == 0) {
            return null;
        }
        Channel ch = e.pool().config().proxyProtocol() ? session.takePrivate(e) : IdleConnections.here().take(e);
        offered = ch;
        return ch;
    }

    // ---- Outcome: what the dialer found -----------------------------------------------------------

    @Override
    public void connected(Channel ch, Endpoint e, Void detail) {
        if (state != State.DIALING) {
            // Cannot happen (the dialer asks waiting() first); never leak the slot if it does.
            e.release();
            ch.close();
            return;
        }
        state = State.SENDING;
        record.endpoint(e);
        record.field("reused", reused ? "1" : "0");
        if (reused) {
            handler = ch.pipeline().get(BackendHandler.class);
        } else {
            HttpDecoderConfig decoding = new HttpDecoderConfig().setMaxInitialLineLength(mode.maxRequestLine())
                    .setMaxHeaderSize(mode.maxHeaderSize()).setMaxChunkSize(BACKEND_CHUNK)
                    .setTrailersFactory(SmallTrailers.INSTANCE);
            BackendCodec codec = new BackendCodec(decoding);
            ch.pipeline().addLast("http-codec", codec);
            handler = new BackendHandler(ch, e, codec);
            ch.pipeline().addLast(BackendHandler.NAME, handler);
            if (!websocket) {
                // A WebSocket's connection is counted when it becomes the client connection's tunnel.
                session.shared.metrics().engine().backend(e.backend()).connections.increment();
            }
        }
        handler.serve(this);
        if (hostIsBackend || !request.headers().contains(HttpHeaderNames.HOST)) {
            // An HTTP/1.0 request without Host goes on as HTTP/1.1, which needs one: the address of
            // the backend it goes to (the next one's, when a connect failed).
            request.headers().set(HttpHeaderNames.HOST, e.addressText());
            hostIsBackend = true;
        }
        backend.write(request, backend.voidPromise());
        if (pending != null) {
            for (HttpContent c : pending) {
                int n = c.content().readableBytes();
                if (n > 0) {
                    bodySent = true;
                    session.shared.metrics().engine().backend(e.backend()).bytesIn.increment(n);
                    listener.meters().bytesIn.increment(n);
                }
                backend.write(c, backend.voidPromise());
            }
            pending = null;
        }
        if (stream.reading()) {
            // Connected at once (a kept-alive connection) while the client's read is delivered:
            // the rest of that read (a GET's end) joins the request, flushed once at its end.
            wroteBackend = true;
        } else {
            backend.flush();
        }
        if (requestComplete) {
            requestSent(System.nanoTime());
        } else {
            stream.rearm();
        }
        // The response is read from now on (a backend may answer before the whole body, e.g. 413).
        backend.read();
        if (!requestComplete && backend.isWritable()) {
            stream.read();
        }
    }

    @Override
    public void failed(EndReason reason) {
        if (state != State.DIALING) {
            return;
        }
        switch (reason) {
            case CLIENT_ABORTED -> abandon(reason);
            case NO_BACKEND -> answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "no backend is available", reason,
                    "no_backend", false);
            case QUEUE_FULL, QUEUE_TIMEOUT -> answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "every backend is busy", reason, reason.label(), false);
            case LOCAL_RESOURCES -> answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "dicomlb is out of resources (file descriptors)", reason, reason.label(), false);
            default -> answer(HttpResponseStatus.BAD_GATEWAY, "no backend could be connected", reason,
                    "connect_failed", false);
        }
    }

    // ---- the response -----------------------------------------------------------------------------

    void backendRead(Object msg) {
        if (state == State.UPGRADING) {
            if (msg instanceof ByteBuf b) {
                tunnelFromBackend.add(b);
            } else {
                // The codec's empty end of the 101 response.
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (state != State.SENDING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse || !heardThisRead) {
            // One clock read per read from the backend: a response's head and its body usually
            // come in one, and the idle timeout needs no finer time than that.
            lastActivity = System.nanoTime();
            heardThisRead = true;
        }
        if (msg instanceof HttpResponse r) {
            if (r.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                backendFailed("the backend's response is not valid HTTP", true);
                return;
            }
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                informationalResponse(r);
                ReferenceCountUtil.release(msg);
                return;
            }
            responseHead(r, lastActivity);
        }
        if (msg instanceof HttpContent c) {
            if (informational) {
                // The empty end the codec gives every 1xx response; its head went to the client whole.
                informational = false;
                c.release();
                return;
            }
            if (!responseStarted) {
                c.release();
                return;
            }
            if (c.decoderResult().isFailure()) {
                c.release();
                backendFailed("the backend's response body is not valid HTTP", true);
                return;
            }
            int n = c.content().readableBytes();
            if (n > 0) {
                record.addOut(n);
                session.shared.metrics().engine().backend(endpoint.backend()).bytesOut.increment(n);
                listener.meters().bytesOut.increment(n);
            }
            boolean last = c instanceof LastHttpContent;
            if (last && stream.multiplexed()) {
                // The stream may be reset after it (a request body still coming): not before it is sent.
                stream.lastWrite(client.write(c));
            } else {
                client.write(c, client.voidPromise());
            }
            wroteClient = true;
            if (last) {
                responseComplete();
            }
        }
    }

    /** 100 Continue, 103 Early Hints: passed on (not to an HTTP/1.0 client), the final response still to come. */
    private void informationalResponse(HttpResponse r) {
        int code = r.status().code();
        if (code == 101) {
            if (websocket) {
                upgrade(r);
            } else {
                backendFailed("the backend switched protocols unasked", false);
            }
            return;
        }
        informational = true;
        if (stream.multiplexed() || !originalHttp10) {
            FullHttpResponse copy = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                    io.netty.buffer.Unpooled.EMPTY_BUFFER, r.headers().copy(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            Headers.removeHopByHop(copy.headers(), false);
            // An interim response has no body, whatever its fields say (the codec read none).
            Headers.removeBodyFraming(copy.headers());
            client.writeAndFlush(copy, client.voidPromise());
        }
    }

    private void responseHead(HttpResponse r, long now) {
        responseStarted = true;
        status = r.status().code();
        logStatus(now);
        HttpHeaders h = r.headers();
        boolean close = !stream.keepAlive() || !requestComplete;
        boolean bodyless = request.method() == HttpMethod.HEAD || status == 204 || status == 304;
        // Whether the body's end is known from the head, rather than from the connection closing.
        boolean chunked = HttpUtil.isTransferEncodingChunked(r);
        boolean framed = bodyless || chunked || HttpUtil.isContentLengthSet(r);
        // A 204 announcing a body (RFC 9110 section 15.3.5 forbids one) may send it: its connection's next bytes are not a response.
        boolean announcesBody = status == 204 && (chunked || HttpUtil.getContentLength(r, 0L) != 0);
        closeFromBackend = !framed || !HttpUtil.isKeepAlive(r) || announcesBody;
        Headers.removeHopByHop(h, false);
        if (status == 204) {
            // What it announced was judged above; the client gets a 204 it can take (HTTP/2 too).
            Headers.removeBodyFraming(h);
        }
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!stream.multiplexed() && originalHttp10 && chunked && !bodyless) {
            // RFC 9112 section 6.1: no chunks for an HTTP/1.0 client; the body goes as it is (trailers
            // dropped) and ends with the connection.
            h.remove(HttpHeaderNames.TRANSFER_ENCODING);
            close = true;
        } else if (!stream.multiplexed() && !framed) {
            if (originalHttp10) {
                // An HTTP/1.0 client knows no chunks: the body ends with the connection.
                close = true;
            } else {
                // A body the backend ends by closing is chunked for the client, so the connection can go on.
                HttpUtil.setTransferEncodingChunked(r, true);
            }
        }
        if (persistence instanceof Persistence.Cookie c && (cookieBackend == null || cookieBackend != endpoint.backend())) {
            h.add(HttpHeaderNames.SET_COOKIE, setCookie(c));
        }
        Headers.apply(h, mode.responseHeaders());
        if (route != null) {
            Headers.apply(h, route.responseHeaders());
        }
        if (!stream.multiplexed()) {
            if (close) {
                closeAfter = true;
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (originalHttp10) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        client.write(r, client.voidPromise());
        wroteClient = true;
    }

    /** The status the client gets, and how long after the request began its answer started ({@code now}). */
    private void logStatus(long now) {
        record.field("status", status);
        record.field("response_ms", (now - record.startNanos()) / 1_000_000);
    }

    private String setCookie(Persistence.Cookie c) {
        StringBuilder sb = new StringBuilder(96).append(c.name()).append('=')
                .append(session.shared.cookies().of(c.secret(), endpoint.backend()))
                .append("; Path=/; HttpOnly; SameSite=Lax");
        if (session.tls) {
            sb.append("; Secure");
        }
        c.maxAge().ifPresent(a -> sb.append("; Max-Age=").append(a.toSeconds()));
        return sb.toString();
    }

    void backendReadComplete() {
        heardThisRead = false;
        if (wroteClient) {
            wroteClient = false;
            client.flush();
        }
        if (state == State.UPGRADING) {
            finishUpgrade();
            return;
        }
        if (state == State.SENDING && (!responseStarted || client.channel().isWritable())) {
            backend.read();
        }
    }

    void clientWritabilityChanged() {
        // The client drained below its low water mark: read more of the response.
        if (state == State.SENDING && responseStarted && client.channel().isWritable()) {
            backend.read();
        }
    }

    /**
     * The backend closed (or reset, or failed) its connection; {@code cause} is null for an orderly
     * close. Whatever the request was doing, this backend connection is over.
     */
    void backendClosed(Throwable cause) {
        if (state != State.SENDING) {
            return;
        }
        String why = cause == null ? "the backend closed the connection before answering"
                : "the backend connection failed before answering (" + describe(cause) + ")";
        if (!responseStarted && reused && !bodySent && requestComplete && record.bytesIn() == 0 && idempotent
                && !retried && !websocket) {
            // A kept-alive connection the backend had just closed: not a failure of the backend.
            retryFresh();
            return;
        }
        backendFailed(why, cause != null);
    }

    /** Sends the request again on a new connection (see the class comment). */
    private void retryFresh() {
        retried = true;
        handler.detach();
        backend.close();
        endpoint.release();
        backend = null;
        endpoint = null;
        handler = null;
        state = State.NEW;
        noReuse = true;
        dial();
    }

    /**
     * The backend failed this request: before the response, the client gets 502; after it started,
     * the client's connection or stream is ended, as the response cannot be completed.
     */
    private void backendFailed(String why, boolean error) {
        if (!responseStarted) {
            listener.observer().failed(endpoint, "http " + (error ? "error" : "closed"), session.client().getAddress());
            releaseBackend(false);
            answer(HttpResponseStatus.BAD_GATEWAY, why, error ? EndReason.BACKEND_ERROR : EndReason.BACKEND_CLOSE,
                    "backend_failed", !requestComplete);
            return;
        }
        abandon(error ? EndReason.BACKEND_ERROR : EndReason.BACKEND_CLOSE);
    }

    private void responseComplete() {
        responseComplete = true;
        client.flush();
        wroteClient = false;
        boolean unread = !requestComplete;
        boolean reusable = !unread && reusable();
        // Over when the read that brought the response's end came: that read's clock reading
        // (backendRead's) serves the record, the idle backend and the client's wait.
        finish(EndReason.COMPLETE, lastActivity);
        // A backend that answered before taking the whole request is left in an unknown state.
        releaseBackend(reusable);
        stream.exchangeDone(closeAfter, unread, lastActivity);
    }

    /** The backend connection may serve another request: an HTTP/1.1 response that did not say close. */
    private boolean reusable() {
        return backend.isActive() && handler != null && !closeFromBackend && !handler.overrun();
    }

    // ---- timers -----------------------------------------------------------------------------------

    /** When {@link #expired} is due: the backend's answer, or a stall in either direction. */
    long deadline() {
        if (state == State.DISCARDING) {
            return discardStart + config.timeouts().request().toNanos();
        }
        if (state != State.SENDING) {
            return Long.MAX_VALUE;
        }
        if (requestSent && !responseStarted) {
            return requestSentAt + config.timeouts().response().toNanos();
        }
        return lastActivity + config.timeouts().idle().toNanos();
    }

    void expired(long now) {
        if (state == State.DISCARDING) {
            // The rest of the body did not come: the connection cannot go on.
            state = State.DONE;
            stream.exchangeDone(true, true);
            return;
        }
        if (state != State.SENDING) {
            return;
        }
        if (requestSent && !responseStarted) {
            releaseBackend(false);
            answer(HttpResponseStatus.GATEWAY_TIMEOUT, "the backend did not answer within "
                    + millis(config.timeouts().response()), EndReason.RESPONSE_TIMEOUT, "response_timeout", false);
        } else if (!requestComplete && !responseStarted) {
            releaseBackend(false);
            answer(HttpResponseStatus.REQUEST_TIMEOUT, "the request body stalled for "
                    + millis(config.timeouts().idle()), EndReason.REQUEST_TIMEOUT, "request_timeout", true);
        } else {
            abandon(EndReason.IDLE_TIMEOUT);
        }
    }

    /**
     * What a request's line repeats of its connection's: the upstream a trusted PROXY header came
     * from ({@code via}), and on a TLS listener the session and client certificate (the
     * connection's own line is written only when it carried no request).
     */
    private static void viaUpstream(ClientSession session, ConnectionRecord record) {
        String via = session.connection.record().field("via");
        if (via != null) {
            record.field("via", via);
        }
        if (session.tls) {
            record.field("tls", session.tlsField);
            if (session.clientCertField != null) {
                record.field("client_cert", session.clientCertField);
            }
        }
    }

    /** 408 for a request whose headers did not all arrive in time (no exchange was started). */
    static void requestTimeout(RequestStream stream) {
        ClientSession session = stream.session();
        ChannelHandlerContext ctx = stream.ctx();
        ctx.writeAndFlush(LocalResponses.of(ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT,
                "the request's headers did not arrive within " + millis(session.config().timeouts().request()), true));
        session.shared.metrics().local(session.listener.meters(), "request_timeout");
        logWithoutExchange(stream, 408, EndReason.REQUEST_TIMEOUT);
        stream.close(EndReason.REQUEST_TIMEOUT);
    }

    /**
     * An HTTP/2 stream whose request was malformed (no request was made of it), being reset by the
     * codec: one access-log line, without a status, so that what the client sent is on record.
     */
    static void malformed(RequestStream stream) {
        logWithoutExchange(stream, 0, EndReason.PROTOCOL);
    }

    /**
     * The line and meters of a request no exchange was made for, ended now for {@code reason}
     * with {@code status} (0: none).
     */
    private static void logWithoutExchange(RequestStream stream, int status, EndReason reason) {
        ClientSession session = stream.session();
        ConnectionRecord record = new ConnectionRecord(session.config().name(), "http", session.connection.record(),
                stream.requestStart());
        viaUpstream(session, record);
        record.field("req", session.nextRequest());
        record.field("proto", session.protocol);
        if (status == 0) {
            record.field("status", null);
        } else {
            record.field("status", status);
        }
        record.over(reason);
        session.shared.metrics().request(session.listener.meters(), null, null, null, status, record.durationNanos());
        session.shared.accessLog().write(record);
    }

    // ---- WebSocket: from HTTP to a byte tunnel ----------------------------------------------------

    private void upgrade(HttpResponse r) {
        state = State.UPGRADING;
        tunnelFromBackend = new ArrayList<>(2);
        responseStarted = true;
        status = 101;
        logStatus(System.nanoTime());
        Headers.removeHopByHop(r.headers(), true);
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                io.netty.buffer.Unpooled.EMPTY_BUFFER, r.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        client.write(switching, client.voidPromise());
        wroteClient = true;
    }

    /**
     * The 101 is on its way to the client; both connections leave HTTP: the codecs go (what the
     * backend's had read beyond the 101 is passed on, in order; the client's decoder stopped at
     * the upgrade request, and the request stream kept what came behind it), and the connection
     * relays bytes both ways as a tcp listener does, with its idle timeout, until either side
     * closes. The backend connection and its slot become the client connection's; its own
     * access-log line, written when the tunnel ends, has the tunnel's bytes and duration.
     */
    private void finishUpgrade() {
        var connection = session.connection;
        Channel c = client.channel();
        // What the backend's codec read beyond the 101 comes out as bytes as it leaves, to this exchange.
        backend.pipeline().remove(BackendCodec.class);
        handler.detach();
        backend.pipeline().remove(handler);
        c.pipeline().remove(HttpServerCodec.class);
        if (c.pipeline().get(ByteWatch.class) != null) {
            c.pipeline().remove(ByteWatch.class);
        }
        List<ByteBuf> fromClient = stream.handOver();
        // A FIN the client sent behind its request was the request stream's to see; the relay
        // reads no more and would never learn of it, so the backend would never get it.
        boolean clientEnded = stream.inputClosed();
        c.pipeline().remove(RequestStream.class);
        finish(EndReason.COMPLETE, System.nanoTime());
        connection.record().pool(poolName);
        connection.logConnection(true);
        session.closed();
        // From here the connection owns the backend channel and the endpoint's slot.
        connection.backendConnected(backend, endpoint);
        fromClient.forEach(connection::holdClientBytes);
        if (clientEnded) {
            connection.clientEndedEarly();
        }
        for (ByteBuf b : tunnelFromBackend) {
            connection.relayed(false, b.readableBytes());
            c.write(b, c.voidPromise());
        }
        c.flush();
        if (c.isActive() && backend.isActive()) {
            connection.startRelay();
        } else {
            connection.close(c.isActive() ? EndReason.BACKEND_CLOSE : EndReason.CLIENT_CLOSE);
        }
    }

    // ---- endings ----------------------------------------------------------------------------------

    /**
     * Gives the backend connection back: kept for another request when {@code keep} and the
     * listener keeps connections, else closed; and the endpoint's slot.
     */
    private void releaseBackend(boolean keep) {
        if (backend == null) {
            return;
        }
        Channel ch = backend;
        BackendHandler h = handler;
        Endpoint e = endpoint;
        backend = null;
        if (h != null) {
            h.detach();
        }
        boolean kept = false;
        if (keep && h != null && ch.isActive() && mode.backendKeepAlive().maxIdle() > 0) {
            // Idle from the request's end (its record is over by then: no clock read of its own).
            long now = record.endNanos();
            // By what the connection began with, not by the pool's setting now: a connection that
            // named this client in a PROXY header must never reach the shared cache and another
            // client, even when a reload turned the pool's proxy-protocol off meanwhile.
            if (ProxyHeaders.sent(ch)) {
                kept = session.keepPrivate(h, mode.backendKeepAlive(), now);
            } else {
                IdleConnections cache = IdleConnections.here();
                if (cache.park(e, h, mode.backendKeepAlive().maxIdle())) {
                    h.idle(mode.backendKeepAlive().idleTimeout().toNanos(), null, now);
                    kept = true;
                }
            }
        }
        if (!kept) {
            ch.close();
        }
        e.release();
    }

    /**
     * Answers the client from dicomlb itself (docs/http.md, "Error statuses") and ends the exchange.
     *
     * @param reason the access log's {@code end}; {@code tag} the reason of {@code dicomlb_http_local_responses_total}
     * @param close  end the client connection afterwards (its request stream cannot be trusted)
     */
    private void answer(HttpResponseStatus s, String why, EndReason reason, String tag, boolean close) {
        if (responseStarted) {
            abandon(reason);
            return;
        }
        releasePending();
        boolean unread = !requestComplete;
        // A request without a body, or with a short one still to come, is read to its end so the
        // connection can go on (its end usually comes in the same read as its head). Not a body
        // the client holds back for a 100 Continue: it does not come after a final answer, and
        // what comes next would be taken for it.
        boolean awaitsContinue = unread && record.bytesIn() == 0 && HttpUtil.is100ContinueExpected(request);
        boolean discard = unread && !close && !awaitsContinue && !stream.multiplexed() && stream.keepAlive()
                && remainingBody() <= MAX_DISCARD;
        boolean closing = close || (unread && !discard) || !stream.keepAlive();
        state = discard ? State.DISCARDING : State.DONE;
        status = s.code();
        responseStarted = true;
        logStatus(System.nanoTime());
        FullHttpResponse reply = LocalResponses.of(client.alloc(), s, why, closing && !stream.multiplexed());
        if (stream.multiplexed()) {
            stream.lastWrite(client.writeAndFlush(reply));
        } else {
            client.writeAndFlush(reply, client.voidPromise());
        }
        session.shared.metrics().local(listener.meters(), tag);
        listener.meters().rejected(reason.label());
        finishRecord(reason);
        if (discard) {
            discardStart = System.nanoTime();
            stream.rearm();
            stream.read();
            return;
        }
        stream.exchangeDone(closing, unread);
    }

    /** Body octets of the request still to come; unknown (chunked) counts as too many. */
    private long remainingBody() {
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, HttpUtil.getContentLength(request, 0L) - record.bytesIn());
    }

    /** Ends the exchange without an answer: the client's connection or stream goes, the backend's too. */
    private void abandon(EndReason reason) {
        if (state == State.DONE) {
            return;
        }
        clientFailed(reason);
        if (client.channel().isActive()) {
            stream.close(reason);
        }
    }

    /** A client protocol error in the body: 400 if nothing was answered yet, else the connection ends. */
    private void failClient(HttpResponseStatus s, String why) {
        releaseBackend(false);
        answer(s, why, EndReason.PROTOCOL, "bad_request", true);
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }

    private void finish(EndReason reason, long now) {
        state = State.DONE;
        finishRecord(reason, now);
    }

    private void finishRecord(EndReason reason) {
        finishRecord(reason, System.nanoTime());
    }

    private void finishRecord(EndReason reason, long now) {
        if (logged) {
            return;
        }
        logged = true;
        record.over(reason, now);
        Backend b = record.endpoint() == null ? null : record.endpoint().backend();
        session.shared.metrics().request(listener.meters(), poolName, pool, b, status, record.durationNanos());
        session.shared.accessLog().write(record);
    }

    private static String describe(Throwable cause) {
        String m = cause.getMessage();
        return m == null ? cause.getClass().getSimpleName() : (m.length() > 120 ? m.substring(0, 120) : m);
    }

    private static String millis(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
