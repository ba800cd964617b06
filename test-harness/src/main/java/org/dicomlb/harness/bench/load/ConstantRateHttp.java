package org.dicomlb.harness.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.dicomlb.io.Transport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load generator (the wrk2 idea): requests are due at a constant total
 * rate, spread evenly over keep-alive connections, and each latency is measured from when the
 * request was due, not from when it was sent. A stall therefore shows up as latency of every
 * request it delayed (no coordinated omission), which is what "p99 at half load" must mean.
 *
 * <p>One event-loop thread drives all connections, so the generator takes at most one core.
 * Each connection has at most one request outstanding; a late connection sends its overdue
 * requests back to back.
 *
 * <p>A run opens its connections fresh, and their first requests all fall due within a
 * millisecond: every hop (the generator's decoders, a proxy's new client and backend state) meets
 * its first request at once, and the queue that forms takes tens of milliseconds to drain
 * (docs/benchmarks.md measured 50-200 ms of 5-20 ms latency through proxies, 20 ms through the
 * direct path). That is connection set-up under a burst, not latency at the offered rate, so a
 * settling period comes first: its requests are sent on the same schedule and kept in a histogram
 * of their own. wrk2, whose open-loop model this follows, likewise leaves its calibration period
 * out of the latencies it reports.
 */
public final class ConstantRateHttp {
    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DRAIN = Duration.ofSeconds(5);

    private ConstantRateHttp() {
    }

    /**
     * @param offered   requests per second due
     * @param completed responses received for requests due within the measured part of the run
     * @param errors    failed, non-200 or unanswered requests, settling period included
     * @param latency   nanoseconds from due time to complete response, for requests due after the
     *                  settling period
     * @param settling  the same for requests due within the settling period
     * @param duration  the measured part of the run, settling period excluded
     */
    public record Result(double offered, long completed, long errors, Histogram latency, Histogram settling, Duration duration) {
        public double percentileMillis(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1e6;
        }

        /** The same percentile over the requests of the settling period. */
        public double settlingPercentileMillis(double percentile) {
            return settling.getValueAtPercentile(percentile) / 1e6;
        }

        public double achieved() {
            return completed / (duration.toNanos() / 1e9);
        }
    }

    /**
     * Offers {@code ratePerSecond} for {@code settle} and then for {@code duration}; only requests
     * due after the settling period count in {@link Result#latency()}.
     */
    public static Result run(InetSocketAddress target, String path, int connections, double ratePerSecond, Duration settle,
                             Duration duration) throws IOException, InterruptedException {
        if (connections < 1 || ratePerSecond <= 0) {
            throw new IllegalArgumentException("need at least one connection and a positive rate");
        }
        if (settle.isNegative() || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("need a settling period of zero or more and a positive duration");
        }
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "bench-http-client");
        ByteBuf request = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
                "GET " + path + " HTTP/1.1\r\nHost: bench\r\n\r\n", StandardCharsets.US_ASCII));
        try {
            long interval = Math.round(connections * 1e9 / ratePerSecond);
            List<Connection> conns = new ArrayList<>();
            Bootstrap b = new Bootstrap().group(group)
                    .channel(transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
            for (int i = 0; i < connections; i++) {
                Connection c = new Connection(request, interval);
                ChannelFuture f = b.handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20), c);
                    }
                }).connect(target).awaitUninterruptibly();
                if (!f.isSuccess()) {
                    throw new IOException("cannot connect to " + target + ": " + f.cause().getMessage(), f.cause());
                }
                c.channel = f.channel();
                conns.add(c);
            }
            // Connection i's requests are due at start + i/rate + k*interval: evenly spread in time.
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            long measureFrom = start + settle.toNanos();
            long end = measureFrom + duration.toNanos();
            for (int i = 0; i < connections; i++) {
                Connection c = conns.get(i);
                long first = start + Math.round(i * 1e9 / ratePerSecond);
                c.channel.eventLoop().execute(() -> c.begin(first, measureFrom, end));
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
            long drainDeadline = System.nanoTime() + DRAIN.toNanos();
            while (System.nanoTime() < drainDeadline && !onLoop(group, () -> conns.stream().allMatch(Connection::done))) {
                Thread.sleep(10);
            }
            return onLoop(group, () -> {
                Histogram all = new Histogram(MAX_LATENCY_NANOS, 3);
                Histogram settling = new Histogram(MAX_LATENCY_NANOS, 3);
                long completed = 0;
                long errors = 0;
                for (Connection c : conns) {
                    all.add(c.latency);
                    settling.add(c.settling);
                    completed += c.completed;
                    // A request still outstanding after the drain never got its answer.
                    errors += c.errors + (c.inFlight ? 1 : 0);
                }
                return new Result(ratePerSecond, completed, errors, all, settling, duration);
            });
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** Runs {@code task} on the generator's event loop (where all connection state lives) and waits. */
    private static <T> T onLoop(EventLoopGroup group, java.util.concurrent.Callable<T> task) throws IOException, InterruptedException {
        try {
            return group.next().submit(task).get();
        } catch (ExecutionException e) {
            throw new IOException("load generator failed: " + e.getCause(), e.getCause());
        }
    }

    /** One keep-alive connection's schedule and results. Event-loop confined. */
    private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final ByteBuf request;
        private final long interval;
        private final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        private final Histogram settling = new Histogram(MAX_LATENCY_NANOS, 3);
        private Channel channel;
        private long next;
        private long measureFrom;
        private long end;
        private boolean inFlight;
        private long inFlightDue;
        private boolean timerSet;
        private boolean broken;
        private long completed;
        private long errors;

        Connection(ByteBuf request, long interval) {
            this.request = request;
            this.interval = interval;
        }

        void begin(long first, long measureFrom, long end) {
            this.next = first;
            this.measureFrom = measureFrom;
            this.end = end;
            trySend();
        }

        boolean done() {
            return broken || (!inFlight && next >= end);
        }

        private void trySend() {
            if (broken || inFlight || next >= end) {
                return;
            }
            long now = System.nanoTime();
            if (next > now) {
                if (!timerSet) {
                    timerSet = true;
                    channel.eventLoop().schedule(() -> {
                        timerSet = false;
                        trySend();
                    }, next - now, TimeUnit.NANOSECONDS);
                }
                return;
            }
            inFlight = true;
            inFlightDue = next;
            next += interval;
            channel.writeAndFlush(request.duplicate());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            long now = System.nanoTime();
            boolean measured = inFlightDue >= measureFrom;
            (measured ? latency : settling).recordValue(Math.min(MAX_LATENCY_NANOS, now - inFlightDue));
            if (!response.status().equals(HttpResponseStatus.OK)) {
                errors++;
            } else if (measured) {
                completed++;
            }
            inFlight = false;
            trySend();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!done()) {
                broken = true;
                // The outstanding request and every request still due on this connection are lost.
                errors += (inFlight ? 1 : 0) + Math.max(0, (end - next + interval - 1) / interval);
                inFlight = false;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
