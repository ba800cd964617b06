package org.dicomlb.healthcheck.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.HealthCheck;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.healthcheck.internal.Failures;

/**
 * Healthy when the endpoint accepts a TCP connection. The connection is closed at once with
 * SO_LINGER 0 (a reset): with a graceful close every probe would leave a TIME_WAIT socket on the
 * appliance, and a thousand endpoints checked every second would exhaust its ephemeral ports.
 * The backend sees a connection that opens and resets, which servers treat as a port probe.
 */
public final class TcpCheck implements HealthCheck {
    private final ProbeTransport transport;
    /** Reused for every probe with the same timeout (the checker always passes its config's). */
    private Bootstrap bootstrap;
    private Duration bootstrapTimeout;

    public TcpCheck(ProbeTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    @Override
    public CompletableFuture<CheckResult> probe(InetSocketAddress address, Duration timeout) {
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        ChannelFuture connect = bootstrap(timeout).connect(address);
        connect.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                f.channel().close();
                result.complete(CheckResult.success("connected"));
            } else {
                result.complete(Failures.result(f.cause(), timeout));
            }
        });
        // Cancelled by the checker's deadline: give up the connect attempt.
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                connect.cancel(false);
                connect.channel().close();
            }
        });
        return result;
    }

    /** Called on the checker's control thread only, so the cache needs no lock. */
    private Bootstrap bootstrap(Duration timeout) {
        if (!timeout.equals(bootstrapTimeout)) {
            bootstrap = transport.bootstrap(timeout).option(ChannelOption.SO_LINGER, 0).handler(Discard.INSTANCE);
            bootstrapTimeout = timeout;
        }
        return bootstrap;
    }

    /** The probe reads nothing; anything a server says on connect is dropped. */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
