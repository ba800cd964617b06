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
import io.netty.channel.ChannelInboundHandlerAdapter;
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
 * <p>The generator runs in the harness's JVM, whose collector stops it: a pause of a few
 * milliseconds is measured as latency of every request due in it, whichever proxy is behind. So
 * a response is read without allocating: its head is copied into the connection's own buffer,
 * the status and {@code Content-Length} are read from it, and the body is counted and dropped.
 * With Netty's response decoder and aggregator the harness collected every 3.5 s or so in a
 * half-load run, about three 1-3 ms pauses in each measured 10 s. Reading this way, with one pair
 * of histograms for all connections, a collection before each run and the harness's heap fixed
 * by {@code scripts/bench}, none falls inside a measured run (docs/benchmarks.md, 2026-12-07).
 * Every response the benchmark reads is framed by {@code Content-Length}; one that is not
 * (chunked, or up to the close) is counted as an error.
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
     * @param failure   the first thing that went wrong (a response the generator could not read or
     *                  whose status was not 200, or the server closing), or null
     */
    public record Result(double offered, long completed, long errors, Histogram latency, Histogram settling, Duration duration,
                         String failure) {
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
        // The harness's garbage so far, collected now rather than in the measured run: what a run
        // allocates (a few hundred bytes a request) then fits in the young generation, and the
        // collector does not stop the generator while requests are due.
        System.gc();
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "bench-http-client");
        ByteBuf request = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
                "GET " + path + " HTTP/1.1\r\nHost: bench\r\n\r\n", StandardCharsets.US_ASCII));
        try {
            long interval = Math.round(connections * 1e9 / ratePerSecond);
            // One pair for all connections (they share the one event loop): a histogram of this
            // range and precision is some 220 KB, and 32 of them live through a run were 7 MB
            // for a young collection in the harness to copy (6-40 ms pauses, docs/benchmarks.md).
            Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
            Histogram settling = new Histogram(MAX_LATENCY_NANOS, 3);
            List<Connection> conns = new ArrayList<>();
            Bootstrap b = new Bootstrap().group(group)
                    .channel(transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
            for (int i = 0; i < connections; i++) {
                Connection c = new Connection(request, interval, latency, settling);
                ChannelFuture f = b.handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(c);
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
                long completed = 0;
                long errors = 0;
                String failure = null;
                for (Connection c : conns) {
                    if (failure == null) {
                        failure = c.failure;
                    }
                    completed += c.completed;
                    // A request still outstanding after the drain never got its answer.
                    errors += c.errors + (c.inFlight ? 1 : 0);
                }
                return new Result(ratePerSecond, completed, errors, latency.copy(), settling.copy(), duration, failure);
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
    private static final class Connection extends ChannelInboundHandlerAdapter {
        /** Longer response heads are an error: the benchmark's backends send a few hundred bytes. */
        static final int HEAD_LIMIT = 8192;
        private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

        private final ByteBuf request;
        private final long interval;
        private final Histogram latency;
        private final Histogram settling;
        private final byte[] head = new byte[HEAD_LIMIT];
        private int headLength;
        /** Body bytes still to come of the response being read, or -1 while its head is. */
        private long bodyLeft = -1;
        private int status;
        private Channel channel;
        private long next;
        private long measureFrom;
        private long end;
        private boolean inFlight;
        private long inFlightDue;
        private boolean timerSet;
        private boolean broken;
        /** A response could not be read: the connection is closing, and what else came is not read. */
        private boolean failed;
        private long completed;
        private long errors;
        private String failure;

        Connection(ByteBuf request, long interval, Histogram latency, Histogram settling) {
            this.request = request;
            this.interval = interval;
            this.latency = latency;
            this.settling = settling;
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
            if (broken || failed || inFlight || next >= end) {
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
            channel.writeAndFlush(request.duplicate(), channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable() && !broken && !failed) {
                    if (bodyLeft < 0) {
                        readHead(ctx, in);
                    } else {
                        int n = (int) Math.min(bodyLeft, in.readableBytes());
                        in.skipBytes(n);
                        bodyLeft -= n;
                        if (bodyLeft == 0) {
                            answered();
                        }
                    }
                }
            } finally {
                in.release();
            }
        }

        /** Copies head bytes until the blank line that ends it, then reads its status and length. */
        private void readHead(ChannelHandlerContext ctx, ByteBuf in) {
            if (!inFlight) {
                fail(ctx, "bytes from the server with no request outstanding");
                return;
            }
            while (in.isReadable()) {
                if (headLength == head.length) {
                    fail(ctx, "a response head longer than " + HEAD_LIMIT + " bytes");
                    return;
                }
                head[headLength++] = in.readByte();
                if (headLength >= 4 && head[headLength - 1] == '\n' && head[headLength - 2] == '\r'
                        && head[headLength - 3] == '\n' && head[headLength - 4] == '\r') {
                    status = status();
                    long length = contentLength();
                    headLength = 0;
                    if (status < 0 || length < 0) {
                        fail(ctx, "a response without a status or a Content-Length");
                        return;
                    }
                    bodyLeft = length;
                    if (length == 0) {
                        answered();
                    }
                    return;
                }
            }
        }

        /** The status code of "HTTP/1.1 200 OK", or -1. */
        private int status() {
            int sp = indexOf((byte) ' ', 0);
            if (sp < 0 || sp + 4 > headLength) {
                return -1;
            }
            int code = 0;
            for (int i = sp + 1; i < sp + 4; i++) {
                int d = head[i] - '0';
                if (d < 0 || d > 9) {
                    return -1;
                }
                code = code * 10 + d;
            }
            return code;
        }

        /** The value of the head's Content-Length field (name in any case), or -1. */
        private long contentLength() {
            int line = indexOf((byte) '\n', 0) + 1;
            while (line > 0 && line < headLength) {
                if (startsWithIgnoringCase(line, CONTENT_LENGTH)) {
                    long value = -1;
                    for (int i = line + CONTENT_LENGTH.length; i < headLength && head[i] != '\r'; i++) {
                        if (head[i] == ' ' || head[i] == '\t') {
                            continue;
                        }
                        int d = head[i] - '0';
                        if (d < 0 || d > 9) {
                            return -1;
                        }
                        value = Math.max(value, 0) * 10 + d;
                    }
                    return value;
                }
                line = indexOf((byte) '\n', line) + 1;
            }
            return -1;
        }

        private int indexOf(byte b, int from) {
            for (int i = from; i < headLength; i++) {
                if (head[i] == b) {
                    return i;
                }
            }
            return -1;
        }

        private boolean startsWithIgnoringCase(int at, byte[] lowerCase) {
            if (at + lowerCase.length > headLength) {
                return false;
            }
            for (int i = 0; i < lowerCase.length; i++) {
                byte c = head[at + i];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != lowerCase[i]) {
                    return false;
                }
            }
            return true;
        }

        /** A whole response has come for the outstanding request. */
        private void answered() {
            long now = System.nanoTime();
            bodyLeft = -1;
            boolean measured = inFlightDue >= measureFrom;
            (measured ? latency : settling).recordValue(Math.min(MAX_LATENCY_NANOS, now - inFlightDue));
            if (status != 200) {
                errors++;
                if (failure == null) {
                    failure = "a response with status " + status;
                }
            } else if (measured) {
                completed++;
            }
            inFlight = false;
            trySend();
        }

        /** A response the generator cannot read: the request outstanding fails, and the connection with it. */
        private void fail(ChannelHandlerContext ctx, String why) {
            failed = true;
            if (failure == null) {
                failure = why;
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!done()) {
                broken = true;
                if (failure == null) {
                    failure = "the server closed the connection";
                }
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
