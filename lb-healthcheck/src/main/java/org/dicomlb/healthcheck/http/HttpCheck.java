package org.dicomlb.healthcheck.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.HealthCheck;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.healthcheck.config.HttpProbe;
import org.dicomlb.healthcheck.internal.Failures;

/**
 * One HTTP/1.1 request per probe on a new connection ({@code Connection: close}), optionally over
 * TLS. A fresh connection per probe is deliberate: it tests what a new client would meet (accept
 * queue, TLS handshake), not a warm keep-alive connection that may outlive a broken listener.
 */
public final class HttpCheck implements HealthCheck {
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_SIZE = 16 * 1024;
    static final int MAX_CHUNK_SIZE = 8192;

    private final HttpProbe probe;
    private final ProbeTransport transport;
    private final SslContext ssl;
    private final String tlsProblem;

    /**
     * Builds the TLS context here, on the thread that calls {@link
     * org.dicomlb.healthcheck.HealthChecker#update}: loading a trust store must not stall the
     * checker's event loop.
     */
    public HttpCheck(HttpProbe probe, ProbeTransport transport, TlsContexts tls) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.transport = Objects.requireNonNull(transport, "transport");
        SslContext context = null;
        String problem = null;
        if (probe.tls()) {
            try {
                context = tls.get(probe.tlsVerify());
            } catch (SSLException e) {
                problem = "TLS setup failed: " + e.getMessage();
            }
        }
        this.ssl = context;
        this.tlsProblem = problem;
    }

    @Override
    public CompletableFuture<CheckResult> probe(InetSocketAddress address, Duration timeout) {
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        if (tlsProblem != null) {
            result.complete(CheckResult.failure(tlsProblem));
            return result;
        }
        FullHttpRequest request = request(probe.host().orElseGet(() -> SocketAddresses.format(address)));
        String serverName = serverName(address);
        ChannelFuture connect = transport.bootstrap(timeout).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (ssl != null) {
                    ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), serverName, address.getPort()));
                }
                ch.pipeline().addLast("http", new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE));
                ch.pipeline().addLast("probe", new ResponseHandler(probe, request, result));
            }
        }).connect(address);
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.complete(Failures.result(f.cause(), timeout));
            }
        });
        // The whole exchange (connect, TLS, request, response) gets the timeout; the checker's own
        // deadline is only a backstop a little later, so the reason can say what was still missing.
        ScheduledFuture<?> deadline = transport.group().next().schedule(() -> result.complete(
                CheckResult.timeout(timeout, connect.isSuccess() ? "waiting for the response" : "connecting")),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        // Done, failed or cancelled by the checker's deadline: the connection has served its purpose.
        result.whenComplete((r, e) -> {
            deadline.cancel(false);
            connect.cancel(false);
            connect.channel().close();
        });
        return result;
    }

    private FullHttpRequest request(String host) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(probe.method().name()),
                probe.path(), Unpooled.EMPTY_BUFFER);
        req.headers()
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, "dicomlb-healthcheck")
                .set(HttpHeaderNames.ACCEPT, "*/*");
        return req;
    }

    /** The TLS server name: the configured host without its port, else the IP probed. */
    private String serverName(InetSocketAddress address) {
        if (probe.host().isEmpty()) {
            return address.getAddress().getHostAddress();
        }
        String h = probe.host().get();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close > 0 ? h.substring(1, close) : h;
        }
        int colon = h.lastIndexOf(':');
        return colon > 0 && h.indexOf(':') == colon ? h.substring(0, colon) : h;
    }
}
