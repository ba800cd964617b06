package org.dicomlb.cli.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.io.EventLoops;
import org.dicomlb.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP listener. It runs on an event loop group of its own so the NOC can still scrape
 * {@code /metrics} and operators can still reload while the data plane is saturated.
 *
 * <p>{@code /metrics} and {@code /healthz} are open (scrapers and probes rarely carry secrets).
 * The {@code /api/} endpoints are guarded:
 * <ul>
 *   <li>with a token file, every request needs {@code Authorization: Bearer <token>};</li>
 *   <li>without one (loopback only, enforced by validation), the {@code Host} must be an IP
 *       address or {@code localhost}, so a web page cannot reach the API through a DNS name that
 *       points at the appliance (DNS rebinding);</li>
 *   <li>always: a request carrying an {@code Origin} must come from this listener's own origin,
 *       and state-changing requests must be {@code Content-Type: application/json}, which a
 *       browser cannot send to another origin without a CORS preflight (which is never granted).</li>
 * </ul>
 * Requests are small and bounded (64 KiB, 30 s to arrive, {@value #MAX_CONNECTIONS} connections);
 * every state-changing request is written to the {@code dicomlb.audit} log, allowed or not.
 *
 * <p>The listening socket can move (a reload that changes {@code admin.listen}): the new address
 * is bound first, then the old listening socket closes; connections already accepted, including
 * the one that asked for the reload, continue and get their answer.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("dicomlb.audit");
    static final int MAX_CONNECTIONS = 64;
    private static final String NO_VIP = "this appliance has no vip: section";
    private static final Pattern BACKEND_STATE = Pattern.compile("/api/v1/pools/([^/]+)/backends/([^/]+)/state");
    private static final Pattern GSLB_FAILBACK = Pattern.compile("/api/v1/gslb/([^/]+)/failback");
    private static final Pattern CONNECTION_CLOSE = Pattern.compile("/api/v1/connections/([0-9]{1,18})/close");
    /** Connections listed when the request does not say; and the most it may ask for. */
    static final int DEFAULT_CONNECTIONS_LIMIT = 200;
    static final int MAX_CONNECTIONS_LIMIT = 5000;
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            // Times as ISO-8601 text (2026-12-04T22:35:51.387Z), without a date-time module.
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                    .addSerializer(java.time.Instant.class, com.fasterxml.jackson.databind.ser.std.ToStringSerializer.instance));
    private final StatusPage page = StatusPage.load();

    private final EventLoops.Group loop;
    private final AdminApi api;
    private final ChannelGroup accepted = new DefaultChannelGroup("admin", GlobalEventExecutor.INSTANCE);
    private volatile Channel listening;
    private volatile InetSocketAddress address;
    private volatile Optional<byte[]> token = Optional.empty();
    /** HTTPS for connections accepted from now on; a reload may add, renew or drop it. */
    private volatile Optional<ServerTls> tls = Optional.empty();

    public AdminServer(EventLoops.Group loop, AdminApi api) {
        this.loop = loop;
        this.api = api;
    }

    /** A listening socket bound by {@link #bind}, not yet serving until {@link #serveFrom}. */
    public record Binding(InetSocketAddress address, Channel channel) {
    }

    /** Thrown when the admin address cannot be bound; nothing changed. */
    public static final class BindFailure extends Exception {
        BindFailure(String message) {
            super(message);
        }
    }

    /** Binds {@code at}; the listener keeps serving from its current address until {@link #serveFrom}. */
    public Binding bind(InetSocketAddress at) throws BindFailure {
        ChannelFuture f = new ServerBootstrap()
                .group(loop.group())
                .channel(loop.transport().serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (accepted.size() >= MAX_CONNECTIONS) {
                            ch.close();
                            return;
                        }
                        accepted.add(ch);
                        // The read timeout is first: it bounds a TLS handshake as it bounds a request.
                        ch.pipeline().addLast(new ReadTimeoutHandler(30));
                        tls.ifPresent(t -> ch.pipeline().addLast("tls", t.newHandler(ch.alloc())));
                        addHttpHandlers(ch);
                    }
                })
                .bind(at).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new BindFailure("admin listener cannot bind " + SocketAddresses.format(at) + ": " + f.cause().getMessage());
        }
        return new Binding(at, f.channel());
    }

    /** The request handling of one accepted connection: bounded HTTP/1.1 decoding, then the API. */
    void addHttpHandlers(Channel ch) {
        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192))
                .addLast(new HttpObjectAggregator(64 * 1024))
                .addLast(new Handler());
    }

    /** Serves from {@code b} from now on; the previous listening socket (if any) closes, its connections continue. */
    public void serveFrom(Binding b) {
        Channel old = listening;
        listening = b.channel();
        address = b.address();
        if (old != null) {
            old.close().awaitUninterruptibly();
        }
        LOG.info("admin listener on {} (status page at /, /metrics, /healthz, /api/v1)", SocketAddresses.format(b.address()));
    }

    /** Gives up a binding that will not be used (the reload it was for was rejected). */
    public void discard(Binding b) {
        b.channel().close().awaitUninterruptibly();
    }

    /** Stops accepting (the file no longer has an admin section); accepted connections continue. */
    public void stopListening() {
        Channel old = listening;
        listening = null;
        address = null;
        if (old != null) {
            old.close().awaitUninterruptibly();
            LOG.info("admin listener stopped");
        }
    }

    /** Where it listens now, or null. */
    public InetSocketAddress address() {
        return address;
    }

    public void token(Optional<String> t) {
        this.token = t.map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    /** HTTPS with this certificate for connections accepted from now on (empty: plain HTTP). */
    public void tls(Optional<ServerTls> t) {
        this.tls = t;
    }

    @Override
    public void close() {
        stopListening();
        accepted.close().awaitUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                send(ctx, false, HttpResponseStatus.BAD_REQUEST, error("malformed HTTP request"));
                return;
            }
            String path;
            try {
                path = new QueryStringDecoder(req.uri()).path();
            } catch (IllegalArgumentException e) {
                refuse(ctx, req, keepAlive, HttpResponseStatus.BAD_REQUEST, "malformed request URI: " + e.getMessage());
                return;
            }
            HttpMethod method = req.method();
            if (path.startsWith("/api/")) {
                Optional<String> refusal = guard(ctx, req);
                if (refusal.isPresent()) {
                    boolean auth = refusal.get().startsWith("missing or wrong admin token");
                    refuse(ctx, req, keepAlive, auth ? HttpResponseStatus.UNAUTHORIZED : HttpResponseStatus.FORBIDDEN,
                            refusal.get());
                    return;
                }
            }
            switch (path) {
                case "/" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        FullHttpResponse r = response(HttpResponseStatus.OK, page.html(), "text/html; charset=utf-8");
                        page.securityHeaders(r.headers());
                        write(ctx, keepAlive, r);
                    }
                }
                case "/api/v1/connections" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        connections(ctx, keepAlive, new QueryStringDecoder(req.uri()));
                    }
                }
                case "/metrics" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        sendText(ctx, keepAlive, HttpResponseStatus.OK, api.scrape(), "text/plain; version=0.0.4; charset=utf-8");
                    }
                }
                case "/healthz" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        sendText(ctx, keepAlive, HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8");
                    }
                }
                case "/api/v1/status" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        send(ctx, keepAlive, HttpResponseStatus.OK, api.status());
                    }
                }
                case "/api/v1/reload" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.POST) && requireJson(ctx, req, keepAlive)) {
                        reload(ctx, req, keepAlive);
                    }
                }
                case "/api/v1/vip" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        api.vipStatus().ifPresentOrElse(v -> send(ctx, keepAlive, HttpResponseStatus.OK, v),
                                () -> send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error(NO_VIP)));
                    }
                }
                case "/api/v1/vip/demote", "/api/v1/vip/promote" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.POST) && requireJson(ctx, req, keepAlive)) {
                        demote(ctx, req, keepAlive, path.endsWith("/demote"));
                    }
                }
                default -> {
                    Matcher m = BACKEND_STATE.matcher(path);
                    Matcher failback = GSLB_FAILBACK.matcher(path);
                    Matcher close = CONNECTION_CLOSE.matcher(path);
                    if (close.matches()) {
                        if (requireMethod(ctx, keepAlive, method, HttpMethod.POST) && requireJson(ctx, req, keepAlive)) {
                            closeConnection(ctx, req, keepAlive, Long.parseLong(close.group(1)));
                        }
                    } else if (failback.matches()) {
                        if (requireMethod(ctx, keepAlive, method, HttpMethod.POST) && requireJson(ctx, req, keepAlive)) {
                            failback(ctx, req, keepAlive, failback.group(1));
                        }
                    } else if (m.matches()) {
                        if (method.equals(HttpMethod.PUT) || method.equals(HttpMethod.POST)) {
                            if (requireJson(ctx, req, keepAlive)) {
                                setState(ctx, req, keepAlive, m.group(1), m.group(2));
                            }
                        } else {
                            requireMethod(ctx, keepAlive, method, HttpMethod.PUT);
                        }
                    } else {
                        send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error("no such endpoint: " + path));
                    }
                }
            }
        }

        /** Why an {@code /api/} request may not proceed, or empty. */
        private Optional<String> guard(ChannelHandlerContext ctx, FullHttpRequest req) {
            Optional<byte[]> expected = token;
            String origin = req.headers().get(HttpHeaderNames.ORIGIN);
            String host = req.headers().get(HttpHeaderNames.HOST);
            String scheme = ctx.pipeline().get(SslHandler.class) != null ? "https://" : "http://";
            if (origin != null && (host == null || !origin.equalsIgnoreCase(scheme + host))) {
                return Optional.of("requests from another origin (" + origin + ") are not allowed");
            }
            if (expected.isPresent()) {
                String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
                if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)
                        || !MessageDigest.isEqual(h.substring(7).strip().getBytes(StandardCharsets.UTF_8), expected.get())) {
                    return Optional.of("missing or wrong admin token (send Authorization: Bearer <token from token-file>)");
                }
                return Optional.empty();
            }
            if (host == null || !addressOrLocalhost(host)) {
                return Optional.of("without an admin token the API answers only requests addressed to an IP address"
                        + " or localhost (Host: " + host + ")");
            }
            return Optional.empty();
        }

        /** State-changing requests must say they carry JSON (a cross-site form or simple fetch cannot). */
        private boolean requireJson(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
            String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                return true;
            }
            refuse(ctx, req, keepAlive, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send Content-Type: application/json (got " + type + ")");
            return false;
        }

        /** {@code PUT /api/v1/pools/P/backends/B/state} with {@code {"state": "drain"}}. */
        private void setState(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, String pool, String backend) {
            String wanted;
            try {
                var body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
                wanted = body == null ? null : body.path("state").asText(null);
            } catch (java.io.IOException e) {
                refuse(ctx, req, keepAlive, HttpResponseStatus.BAD_REQUEST, "body must be JSON like {\"state\": \"drain\"}");
                return;
            }
            AdminState state = null;
            for (AdminState s : AdminState.values()) {
                if (s.name().equalsIgnoreCase(String.valueOf(wanted))) {
                    state = s;
                }
            }
            if (state == null) {
                refuse(ctx, req, keepAlive, HttpResponseStatus.BAD_REQUEST,
                        "state must be one of ready, drain, maint (got " + wanted + ")");
                return;
            }
            String what = "state=" + state.name().toLowerCase(Locale.ROOT);
            api.setBackendState(pool, backend, state).whenComplete((r, err) -> {
                if (err != null) {
                    audit(ctx, req, what, 500, String.valueOf(err));
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error(String.valueOf(err)));
                } else if (!r.found()) {
                    audit(ctx, req, what, 404, r.error());
                    send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error(r.error()));
                } else {
                    audit(ctx, req, what, 200, "");
                    send(ctx, keepAlive, HttpResponseStatus.OK, r.backend());
                }
            });
        }

        /** {@code POST /api/v1/vip/demote} or {@code /promote}: maintenance of this node of the pair. */
        private void demote(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, boolean demote) {
            var change = api.demoteVip(demote);
            if (change.isEmpty()) {
                refuse(ctx, req, keepAlive, HttpResponseStatus.NOT_FOUND, NO_VIP);
                return;
            }
            change.get().whenComplete((v, err) -> {
                if (err != null) {
                    audit(ctx, req, "", 500, String.valueOf(err));
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error(String.valueOf(err)));
                } else {
                    audit(ctx, req, "", 200, "vip " + v.state() + ", priority " + v.effectivePriority());
                    send(ctx, keepAlive, HttpResponseStatus.OK, v);
                }
            });
        }

        /** {@code POST /api/v1/gslb/NAME/failback}: 200 with what was released, 404 for no such name or no GSLB. */
        private void failback(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, String name) {
            api.gslbFailback(name).whenComplete((r, err) -> {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
                    audit(ctx, req, "", 404, cause.getMessage());
                    send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error(cause.getMessage()));
                } else if (cause != null) {
                    audit(ctx, req, "", 500, String.valueOf(cause));
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error(String.valueOf(cause)));
                } else {
                    audit(ctx, req, "", 200, r.describe());
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("name", r.name());
                    body.put("released", r.released());
                    body.put("not_released", r.notReleased());
                    body.put("message", r.describe());
                    send(ctx, keepAlive, HttpResponseStatus.OK, body);
                }
            });
        }

        /**
         * {@code GET /api/v1/connections?ae=CT*&backend=POOL/BACKEND&limit=N}: open connections,
         * oldest first; {@code ae} matches the calling or the called AE (a glob), {@code backend}
         * a pool's backend or ({@code POOL}) any of the pool's.
         */
        private void connections(ChannelHandlerContext ctx, boolean keepAlive, QueryStringDecoder query) {
            java.util.function.Predicate<org.dicomlb.engine.live.LiveConnection> filter = c -> true;
            int limit = DEFAULT_CONNECTIONS_LIMIT;
            try {
                Map<String, java.util.List<String>> params = query.parameters();
                for (String key : params.keySet()) {
                    if (!key.equals("ae") && !key.equals("backend") && !key.equals("limit")) {
                        throw new IllegalArgumentException("unknown parameter '" + key + "' (ae, backend, limit)");
                    }
                }
                String ae = first(params, "ae");
                if (ae != null) {
                    org.dicomlb.engine.config.AePattern p = org.dicomlb.engine.config.AePattern.parse(ae);
                    filter = filter.and(c -> c.dicom() != null && (matches(p, c.dicom().callingAe()) || matches(p, c.dicom().calledAe())));
                }
                String backend = first(params, "backend");
                if (backend != null) {
                    if (backend.isBlank() || backend.indexOf('/') != backend.lastIndexOf('/')) {
                        throw new IllegalArgumentException("backend must be POOL/BACKEND or POOL, not '" + backend + "'");
                    }
                    filter = filter.and(backend.contains("/") ? c -> backend.equals(c.poolBackend())
                            : c -> backend.equals(c.pool()));
                }
                String l = first(params, "limit");
                if (l != null) {
                    limit = Integer.parseInt(l);
                    if (limit < 0 || limit > MAX_CONNECTIONS_LIMIT) {
                        throw new IllegalArgumentException("limit must be 0.." + MAX_CONNECTIONS_LIMIT + ", not " + limit);
                    }
                }
            } catch (IllegalArgumentException e) {
                send(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, error(e.getMessage()));
                return;
            }
            int shown = limit;
            api.connections(filter, limit).whenComplete((r, err) -> {
                if (err != null) {
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error(String.valueOf(err)));
                    return;
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("matched", r.matched());
                body.put("listed", r.connections().size());
                body.put("more", r.more());
                body.put("limit", shown);
                body.put("connections", r.connections());
                send(ctx, keepAlive, HttpResponseStatus.OK, body);
            });
        }

        /** {@code POST /api/v1/connections/ID/close}: 200 with what was done, 404 for no such open connection. */
        private void closeConnection(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, long id) {
            api.closeConnection(id).whenComplete((r, err) -> {
                if (err != null) {
                    audit(ctx, req, "", 500, String.valueOf(err));
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error(String.valueOf(err)));
                } else if (r.isEmpty()) {
                    String why = "no open connection " + id + " (it may have ended)";
                    audit(ctx, req, "", 404, why);
                    send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error(why));
                } else {
                    var c = r.get().connection();
                    String ae = c.dicom() == null ? "" : " calling_ae=" + c.dicom().callingAe() + " called_ae=" + c.dicom().calledAe();
                    audit(ctx, req, "", 200, "client " + c.client() + ae + " listener=" + c.listener()
                            + " backend=" + c.poolBackend() + ": " + r.get().detail());
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("closed", c);
                    body.put("aborted", r.get().aborted());
                    body.put("detail", r.get().detail());
                    send(ctx, keepAlive, HttpResponseStatus.OK, body);
                }
            });
        }

        private void reload(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
            api.reload().whenComplete((r, err) -> {
                if (err != null) {
                    LOG.error("reload failed", err);
                    audit(ctx, req, "", 500, String.valueOf(err));
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error("reload failed: " + err));
                } else {
                    audit(ctx, req, "", r.applied() ? 200 : 422, r.applied() ? r.summary() : String.join("; ", r.errors()));
                    send(ctx, keepAlive, r.applied() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY,
                            reloadBody(r));
                }
            });
        }

        private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, HttpResponseStatus status,
                            String message) {
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                audit(ctx, req, "", status.code(), message);
            }
            send(ctx, keepAlive, status, error(message));
        }

        private static Map<String, Object> reloadBody(ReloadResult r) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("applied", r.applied());
            m.put("summary", r.summary());
            m.put("errors", r.errors());
            return m;
        }

        /** One line per state-changing request: who (client address), what, and how it ended. */
        private static void audit(ChannelHandlerContext ctx, FullHttpRequest req, String what, int status, String detail) {
            AUDIT.info("admin client={} {} {}{} -> {}{}", SocketAddresses.format((InetSocketAddress) ctx.channel().remoteAddress()),
                    req.method(), req.uri().length() > 200 ? req.uri().substring(0, 200) : req.uri(),
                    what.isEmpty() ? "" : " " + what, status, detail.isEmpty() ? "" : " (" + detail + ")");
        }

        private static boolean requireMethod(ChannelHandlerContext ctx, boolean keepAlive, HttpMethod actual, HttpMethod wanted) {
            if (actual.equals(wanted) || (wanted.equals(HttpMethod.GET) && actual.equals(HttpMethod.HEAD))) {
                return true;
            }
            FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    json(error("use " + wanted + " for this endpoint")), "application/json");
            r.headers().set(HttpHeaderNames.ALLOW, wanted.name());
            write(ctx, keepAlive, r);
            return false;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String first(Map<String, java.util.List<String>> params, String key) {
        java.util.List<String> v = params.get(key);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw new IllegalArgumentException("'" + key + "' given " + v.size() + " times");
        }
        return v.getFirst();
    }

    private static boolean matches(org.dicomlb.engine.config.AePattern p, String title) {
        return title != null && p.matches(title);
    }

    /** {@code 127.0.0.1}, {@code [::1]:9900}, {@code localhost:9900} ...: no DNS name a page could point at us. */
    static boolean addressOrLocalhost(String hostHeader) {
        String h = hostHeader.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 && h.substring(1, end).contains(":");
        }
        int colon = h.lastIndexOf(':');
        String name = colon >= 0 ? h.substring(0, colon) : h;
        return name.equalsIgnoreCase("localhost") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Object body) {
        write(ctx, keepAlive, response(status, json(body), "application/json"));
    }

    private static void sendText(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body,
                                 String type) {
        write(ctx, keepAlive, response(status, body.getBytes(StandardCharsets.UTF_8), type));
    }

    private static byte[] json(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"cannot encode response\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String type) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
