package org.dicomlb.engine.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pick;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.pool.Waiter;
import org.dicomlb.engine.transport.Transport;

/**
 * Finds a backend for one client connection: pick, connect, and on failure try the next
 * eligible backend, up to the pool's {@code retries}. When every eligible backend is full the
 * connection waits in the pool's queue. The client only sees a failure when nothing could take it.
 *
 * <p>Runs on the client channel's event loop; the backend channel is created on the same loop so
 * the relay needs no cross-thread hand-off.
 */
public final class Dialer implements Waiter {
    /** Water marks for both halves of a relay: bounded per-connection buffering. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    /**
     * Read sizes for both halves of a relay: adaptive from 512 B to 256 KiB. Netty's default
     * ceiling of 64 KiB costs bulk transfers (large DICOM instances) four times the system calls;
     * measured with iperf3 through a tcp listener, 256 KiB moved 5-35% more per second.
     */
    public static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 256 * 1024);

    /** Decides what to do with an established backend connection (e.g. a DICOM handshake). */
    @FunctionalInterface
    public interface Handshake {
        /**
         * Called on the event loop with a connected backend channel holding a slot on {@code e}.
         * Must end in exactly one of {@link Dialer#accept} or {@link Dialer#retry}.
         */
        void connected(Dialer dialer, Channel backend, Endpoint e);
    }

    /** What the connection gets when the dialer gives up. */
    @FunctionalInterface
    public interface Failure {
        void failed(EndReason reason);
    }

    private static final ChannelHandler NO_HANDLER = new Unhandled();

    private final ProxyConnection connection;
    private final Pool pool;
    private final Handshake handshake;
    private final Failure failure;
    private final Set<Endpoint> tried = new HashSet<>();
    private final AtomicBoolean queueDecided = new AtomicBoolean();
    private final InetAddress clientAddress;
    private int failures;
    private ScheduledFuture<?> queueTimer;

    public Dialer(ProxyConnection connection, Pool pool, Handshake handshake, Failure failure) {
        this.connection = connection;
        this.pool = pool;
        this.handshake = handshake;
        this.failure = failure;
        this.clientAddress = connection.record().client().getAddress();
        connection.record().pool(pool.name());
    }

    private EventLoop loop() {
        return connection.client().eventLoop();
    }

    /** Starts dialing. Event loop only. */
    public void start() {
        attempt();
    }

    private void attempt() {
        if (!connection.client().isActive()) {
            failure.failed(EndReason.CLIENT_ABORTED);
            return;
        }
        Pick pick = pool.pick(clientAddress, tried);
        switch (pick.outcome()) {
            case ACQUIRED -> connect(pick.endpoint());
            case NONE_ELIGIBLE -> failure.failed(tried.isEmpty() ? EndReason.NO_BACKEND : EndReason.ALL_BACKENDS_FAILED);
            case ALL_BUSY -> waitInQueue();
        }
    }

    private void waitInQueue() {
        queueDecided.set(false);
        long timeout = pool.config().queue().timeout().toMillis();
        if (!pool.enqueue(this)) {
            failure.failed(EndReason.QUEUE_FULL);
            return;
        }
        queueTimer = loop().schedule(() -> {
            if (claim()) {
                pool.dequeue(this);
                failure.failed(EndReason.QUEUE_TIMEOUT);
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    private void connect(Endpoint e) {
        connection.record().attempt();
        Channel client = connection.client();
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, connection.listener().config().timeouts().connect().toMillis());
        InetSocketAddress target = e.address();
        bootstrap(client, connectMillis).connect(target).addListener((ChannelFutureListener) f -> connected(f, e));
    }

    /**
     * Bootstraps are kept per event loop thread (and connect timeout) instead of being built for
     * every connection: building one copies its option map, which showed in connection-rate
     * profiles. A bootstrap may connect any number of times; this one only ever on its own loop.
     * TCP_NODELAY is not set here: Netty's socket configs enable it by default on Linux, and
     * setting it again costs a system call per connection.
     */
    private static final FastThreadLocal<Map<Integer, Bootstrap>> BOOTSTRAPS = new FastThreadLocal<>() {
        @Override
        protected Map<Integer, Bootstrap> initialValue() {
            return new HashMap<>();
        }
    };

    private static Bootstrap bootstrap(Channel client, int connectMillis) {
        return BOOTSTRAPS.get().computeIfAbsent(connectMillis, ms -> new Bootstrap()
                .group(client.eventLoop())
                .channel(Transport.socketChannelLike(client))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.RCVBUF_ALLOCATOR, Dialer.READS)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, ms)
                .handler(NO_HANDLER));
    }

    private void connected(ChannelFuture f, Endpoint e) {
        if (!f.isSuccess()) {
            String reason = classify(f.cause());
            connection.listener().metrics().backend(e).connectFailed(reason);
            connection.listener().observer().failed(e, "connect " + reason, clientAddress);
            retry(e, null);
            return;
        }
        Channel backend = f.channel();
        if (!connection.client().isActive()) {
            backend.close();
            e.release();
            failure.failed(EndReason.CLIENT_ABORTED);
            return;
        }
        handshake.connected(this, backend, e);
    }

    /** The backend is accepted: hand channel and slot to the connection. Event loop only. */
    public void accept(Channel backend, Endpoint e) {
        connection.listener().observer().succeeded(e, clientAddress);
        connection.backendConnected(backend, e);
    }

    /**
     * The backend could not take this connection: close what is open, give its slot back and
     * try the next one while retries remain. Event loop only.
     *
     * @param backend the backend channel to close, or null when the connect itself failed
     */
    public void retry(Endpoint failed, Channel backend) {
        if (backend != null) {
            backend.close();
        }
        failed.release();
        tried.add(failed);
        failures++;
        if (failures > pool.config().retries()) {
            failure.failed(EndReason.ALL_BACKENDS_FAILED);
        } else {
            attempt();
        }
    }

    /** How many backends refused or failed this connection so far. */
    public int failures() {
        return failures;
    }

    static String classify(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "timeout";
        }
        if (cause instanceof NoRouteToHostException) {
            return "unreachable";
        }
        if (cause instanceof ConnectException) {
            String m = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("refused")) {
                return "refused";
            }
            if (m.contains("unreachable")) {
                return "unreachable";
            }
            if (m.contains("reset")) {
                return "reset";
            }
        }
        return "other";
    }

    // ---- Waiter: the pool's queue talks to us from any thread ---------------------------------

    @Override
    public InetAddress client() {
        return clientAddress;
    }

    @Override
    public Set<Endpoint> exclude() {
        // Read by other threads while we wait; we do not mutate it while queued.
        return tried;
    }

    @Override
    public boolean claim() {
        return queueDecided.compareAndSet(false, true);
    }

    @Override
    public void granted(Endpoint endpoint) {
        loop().execute(() -> {
            if (queueTimer != null) {
                queueTimer.cancel(false);
            }
            if (!connection.client().isActive()) {
                endpoint.release();
                failure.failed(EndReason.CLIENT_ABORTED);
                return;
            }
            connect(endpoint);
        });
    }

    @Override
    public void abandoned() {
        loop().execute(() -> {
            if (queueTimer != null) {
                queueTimer.cancel(false);
            }
            failure.failed(tried.isEmpty() ? EndReason.NO_BACKEND : EndReason.ALL_BACKENDS_FAILED);
        });
    }

    /** Placeholder pipeline for a backend channel until the handshake or relay installs its own. */
    @ChannelHandler.Sharable
    private static final class Unhandled extends ChannelInboundHandlerAdapter {
    }
}
