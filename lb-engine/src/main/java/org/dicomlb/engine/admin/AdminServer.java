package org.dicomlb.engine.admin;

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
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP listener. It runs on its own single event loop so the NOC can still scrape
 * {@code /metrics} and operators can still reload while the data plane is saturated.
 *
 * <p>{@code /metrics} and {@code /healthz} are open (scrapers and probes rarely carry secrets);
 * every {@code /api/} request needs {@code Authorization: Bearer <token>} when a token file is
 * configured. Requests are small and bounded (64 KiB, 30 s to arrive).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final java.util.regex.Pattern BACKEND_STATE =
            java.util.regex.Pattern.compile("/api/v1/pools/([^/]+)/backends/([^/]+)/state");
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Transport transport;
    private final Channel channel;
    private final InetSocketAddress address;
    private volatile Optional<byte[]> token;

    private AdminServer(Transport transport, Channel channel, InetSocketAddress address, Optional<String> token) {
        this.transport = transport;
        this.channel = channel;
        this.address = address;
        token(token);
    }

    public static AdminServer start(InetSocketAddress address, Engine engine, Optional<String> token) throws EngineException {
        Transport t = Transport.create("dicomlb-admin", 1, true);
        AdminServer[] self = new AdminServer[1];
        ChannelFuture f = new ServerBootstrap()
                .group(t.group())
                .channel(t.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(30))
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new Handler(engine, () -> self[0].token));
                    }
                })
                .bind(address).awaitUninterruptibly();
        if (!f.isSuccess()) {
            t.close();
            throw new EngineException("admin listener cannot bind " + SocketAddresses.format(address) + ": "
                    + f.cause().getMessage());
        }
        self[0] = new AdminServer(t, f.channel(), address, token);
        return self[0];
    }

    public InetSocketAddress address() {
        return address;
    }

    public void token(Optional<String> t) {
        this.token = t.map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        transport.close();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Engine engine;
        private final java.util.function.Supplier<Optional<byte[]>> token;

        Handler(Engine engine, java.util.function.Supplier<Optional<byte[]>> token) {
            this.engine = engine;
            this.token = token;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                send(ctx, false, HttpResponseStatus.BAD_REQUEST, error("malformed HTTP request"));
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            HttpMethod method = req.method();
            if (path.startsWith("/api/") && !authorized(req)) {
                send(ctx, keepAlive, HttpResponseStatus.UNAUTHORIZED,
                        error("missing or wrong admin token (send Authorization: Bearer <token from token-file>)"));
                return;
            }
            switch (path) {
                case "/metrics" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        sendText(ctx, keepAlive, HttpResponseStatus.OK, engine.registry().scrape(),
                                "text/plain; version=0.0.4; charset=utf-8");
                    }
                }
                case "/healthz" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        sendText(ctx, keepAlive, HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8");
                    }
                }
                case "/api/v1/status" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.GET)) {
                        send(ctx, keepAlive, HttpResponseStatus.OK, engine.status());
                    }
                }
                case "/api/v1/reload" -> {
                    if (requireMethod(ctx, keepAlive, method, HttpMethod.POST)) {
                        reload(ctx, keepAlive);
                    }
                }
                default -> {
                    java.util.regex.Matcher m = BACKEND_STATE.matcher(path);
                    if (m.matches()) {
                        if (method.equals(HttpMethod.PUT) || method.equals(HttpMethod.POST)) {
                            setState(ctx, keepAlive, m.group(1), m.group(2), req);
                        } else {
                            requireMethod(ctx, keepAlive, method, HttpMethod.PUT);
                        }
                    } else {
                        send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error("no such endpoint: " + path));
                    }
                }
            }
        }

        /** {@code PUT /api/v1/pools/P/backends/B/state} with {@code {"state": "drain"}}. */
        private void setState(ChannelHandlerContext ctx, boolean keepAlive, String pool, String backend, FullHttpRequest req) {
            String wanted;
            try {
                var body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
                wanted = body == null ? null : body.path("state").asText(null);
            } catch (java.io.IOException e) {
                send(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, error("body must be JSON like {\"state\": \"drain\"}"));
                return;
            }
            org.dicomlb.engine.pool.AdminState state = null;
            for (var s : org.dicomlb.engine.pool.AdminState.values()) {
                if (s.name().equalsIgnoreCase(String.valueOf(wanted))) {
                    state = s;
                }
            }
            if (state == null) {
                send(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST,
                        error("state must be one of ready, drain, maint (got " + wanted + ")"));
                return;
            }
            engine.setAdminState(pool, backend, state).whenComplete((r, err) -> {
                if (err != null) {
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error(String.valueOf(err)));
                } else if (!r.found()) {
                    send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error(r.error()));
                } else {
                    send(ctx, keepAlive, HttpResponseStatus.OK, r.backend());
                }
            });
        }

        private void reload(ChannelHandlerContext ctx, boolean keepAlive) {
            engine.reload().whenComplete((r, err) -> {
                if (err != null) {
                    LOG.error("reload failed", err);
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error("reload failed: " + err));
                } else {
                    send(ctx, keepAlive, r.applied() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY,
                            reloadBody(r));
                }
            });
        }

        private static Map<String, Object> reloadBody(ReloadResult r) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("applied", r.applied());
            m.put("summary", r.summary());
            m.put("errors", r.errors());
            return m;
        }

        private boolean authorized(FullHttpRequest req) {
            Optional<byte[]> expected = token.get();
            if (expected.isEmpty()) {
                return true;
            }
            String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return false;
            }
            byte[] given = h.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            return MessageDigest.isEqual(given, expected.get());
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

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
