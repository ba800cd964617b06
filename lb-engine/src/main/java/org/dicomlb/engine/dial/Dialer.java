package org.dicomlb.engine.dial;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.SourceAddress;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pick;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.pool.Waiter;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.engine.relay.RelayOptions;
import org.dicomlb.io.SystemErrors;
import org.dicomlb.io.Transport;
import org.dicomlb.tls.ClientTls;
import org.dicomlb.tls.TlsReadErrors;
import org.dicomlb.tls.TlsReadGate;

/**
 * Finds a backend for one client connection (or one request of it, see {@link Caller}) and owns
 * every attempt: pick an endpoint (the caller's first choice first, when it has one), reuse the
 * caller's idle connection to it or connect (a pool with {@code proxy-protocol} gets the PROXY
 * header first),
 * handshake TLS when the pool has {@code tls} (a failed TLS handshake is a failed attempt, reason
 * {@code tls}), run the protocol's {@link Handshake}, and on a failed connect or a backend that will not take
 * the connection, report it (metrics, passive health) and try the next eligible endpoint, up to
 * the pool's {@code retries}. When every eligible endpoint is full the connection waits in the
 * pool's queue. The frontend hears once, through its {@link Outcome}: connected, or why not.
 *
 * <p>Runs on the client channel's event loop; the backend channel is created on the same loop so
 * the relay needs no cross-thread hand-off.
 *
 * @param <D> what the handshake hands the frontend about an accepting backend
 */
public final class Dialer<D> implements Waiter {
    /** What the frontend learns, exactly once. Called on the connection's event loop. */
    public interface Outcome<D> {
        /**
         * A backend took the connection. Channel and slot already belong to the connection
         * ({@link ProxyConnection#backendConnected}); the frontend starts the relay (or, for a
         * protocol-level final answer, passes it on and closes).
         */
        void connected(Channel backend, Endpoint endpoint, D detail);

        /** No backend could take the connection. */
        void failed(EndReason reason);
    }

    private static final ChannelHandler NO_HANDLER = new Unhandled();
    private static final VarHandle QUEUE_DECIDED;

    static {
        try {
            QUEUE_DECIDED = MethodHandles.lookup().findVarHandle(Dialer.class, "queueDecided", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Caller caller;
    private final ListenerContext listener;
    private final Pool pool;
    private final Handshake<D> handshake;
    private final Outcome<D> outcome;
    /** Endpoints that failed this dial; a set is made on the first failure (most dials have none). */
    private Set<Endpoint> tried = Set.of();
    /**
     * Whether the queue's hand-off or this dial's queue timeout has decided the wait ({@link #claim}).
     * A field set through {@link #QUEUE_DECIDED} rather than an AtomicBoolean: an http listener
     * dials once per request, and most dials never queue.
     */
    @SuppressWarnings("unused")
    private volatile boolean queueDecided;
    private final InetAddress clientAddress;
    private int failures;
    private ScheduledFuture<?> queueTimer;
    private boolean firstChoiceAsked;

    private Dialer(Caller caller, Pool pool, Handshake<D> handshake, Outcome<D> outcome) {
        this.caller = caller;
        this.listener = caller.listener();
        this.pool = pool;
        this.handshake = handshake;
        this.outcome = outcome;
        this.clientAddress = caller.client().getAddress();
        caller.record().pool(pool.name());
    }

    /** Starts finding a backend of {@code pool} for {@code connection}. Event loop only. */
    public static <D> void dial(ProxyConnection connection, Pool pool, Handshake<D> handshake, Outcome<D> outcome) {
        dial(new WholeConnection(connection), pool, handshake, outcome);
    }

    /** Starts finding a backend of {@code pool} for {@code caller}. Event loop only. */
    public static <D> void dial(Caller caller, Pool pool, Handshake<D> handshake, Outcome<D> outcome) {
        new Dialer<>(caller, pool, handshake, outcome).attempt();
    }

    private EventLoop loop() {
        return caller.connection().eventLoop();
    }

    private void attempt() {
        if (!caller.waiting()) {
            outcome.failed(EndReason.CLIENT_ABORTED);
            return;
        }
        if (!firstChoiceAsked) {
            firstChoiceAsked = true;
            Endpoint first = caller.firstChoice(pool);
            if (first != null) {
                connect(first);
                return;
            }
        }
        Pick pick = pool.pick(clientAddress, tried);
        switch (pick.outcome()) {
            case ACQUIRED -> connect(pick.endpoint());
            case NONE_ELIGIBLE -> outcome.failed(tried.isEmpty() ? EndReason.NO_BACKEND : EndReason.ALL_BACKENDS_FAILED);
            case ALL_BUSY -> waitInQueue();
        }
    }

    private void waitInQueue() {
        queueDecided = false;
        long timeout = pool.config().queue().timeout().toMillis();
        if (!pool.enqueue(this)) {
            outcome.failed(EndReason.QUEUE_FULL);
            return;
        }
        queueTimer = loop().schedule(() -> {
            if (claim()) {
                pool.dequeue(this);
                outcome.failed(EndReason.QUEUE_TIMEOUT);
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    private void connect(Endpoint e) {
        caller.record().attempt();
        Channel idle = caller.idle(e);
        if (idle != null) {
            handshake(idle, e);
            return;
        }
        Channel client = caller.connection();
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, listener.config().timeouts().connect().toMillis());
        ChannelFuture f;
        if (transparent()) {
            // source: client: from the client's own address (any free port); the appliance's policy
            // routing brings the backend's replies to this socket (docs/l4-modes.md).
            f = bootstrap(client, connectMillis, true, false).connect(e.address(), new InetSocketAddress(clientAddress, 0));
        } else {
            f = bootstrap(client, connectMillis, false, e.address().getAddress() instanceof java.net.Inet4Address)
                    .connect(e.address());
        }
        f.addListener((ChannelFutureListener) done -> connected(done, e));
    }

    private boolean transparent() {
        return listener.config().source() == SourceAddress.CLIENT;
    }

    /**
     * Bootstraps are kept per event loop thread (and connect timeout) instead of being built for
     * every connection: building one copies its option map, which showed in connection-rate
     * profiles. A bootstrap may connect any number of times; this one only ever on its own loop.
     * TCP_NODELAY is not set here: Netty's socket configs enable it by default on Linux, and
     * setting it again costs a system call per connection.
     */
    private static final FastThreadLocal<Map<Long, Bootstrap>> BOOTSTRAPS = new FastThreadLocal<>() {
        @Override
        protected Map<Long, Bootstrap> initialValue() {
            return new HashMap<>();
        }
    };

    private static Bootstrap bootstrap(Channel client, int connectMillis, boolean transparent, boolean ipv4) {
        long key = ((long) connectMillis << 2) | (transparent ? 1 : 0) | (ipv4 ? 2 : 0);
        return BOOTSTRAPS.get().computeIfAbsent(key, k -> {
            Bootstrap b = new Bootstrap()
                    .group(client.eventLoop())
                    // source: client binds the client's address, of either family: a dual-stack socket.
                    .channelFactory(Transport.of(client).socketChannelFactory(ipv4))
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, RelayOptions.READS)
                    .option(ChannelOption.ALLOCATOR, RelayOptions.BUFFERS)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, RelayOptions.WATER_MARK)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
                    .handler(NO_HANDLER);
            if (transparent) {
                // Checked when the listener was applied (Listeners.checkTransparent): epoll, CAP_NET_ADMIN.
                b.option(EpollChannelOption.IP_TRANSPARENT, true);
            }
            return b;
        });
    }

    private void connected(ChannelFuture f, Endpoint e) {
        if (!f.isSuccess() && (SystemErrors.outOfDescriptors(f.cause()) || transparent() && bindFailed(f.cause()))) {
            // Our shortage (descriptors; the client's address not bindable, e.g. an IPv6 client of
            // an IPv4 backend), not the backend's: no passive failure, no retry that would fail alike.
            e.release();
            outcome.failed(EndReason.LOCAL_RESOURCES);
            return;
        }
        if (!f.isSuccess()) {
            String reason = classify(f.cause());
            listener.metrics().backend(e.backend()).connectFailed(reason);
            listener.observer().failed(e, "connect " + reason, clientAddress);
            next(e, null);
            return;
        }
        Channel backend = f.channel();
        if (!caller.waiting()) {
            backend.close();
            e.release();
            outcome.failed(EndReason.CLIENT_ABORTED);
            return;
        }
        if (pool.config().proxyProtocol()) {
            ProxyHeaders.send(backend, caller.client(), (java.net.InetSocketAddress) caller.connection().localAddress());
        }
        ClientTls tls = pool.config().tls().orElse(null);
        if (tls == null) {
            handshake(backend, e);
        } else {
            secure(backend, e, tls);
        }
    }

    /**
     * TLS first, as part of trying this backend: within the connect timeout, the backend's
     * certificate verified as the pool says; then the protocol's handshake on the decrypted stream.
     */
    private void secure(Channel backend, Endpoint e, ClientTls tls) {
        SslHandler ssl = tls.newHandler(backend.alloc(), e.address(), listener.config().timeouts().connect());
        backend.pipeline().addFirst("tls", ssl);
        // A record from the backend that does not decrypt ends the connection at once, as on a
        // listener; without it the error would wait for our next write (timeouts.response).
        backend.pipeline().addBefore("tls", TlsReadErrors.NAME, new TlsReadErrors(ssl));
        backend.pipeline().addAfter("tls", TlsReadGate.NAME, new TlsReadGate());
        ssl.handshakeFuture().addListener(hf -> {
            if (!hf.isSuccess()) {
                listener.metrics().backend(e.backend()).connectFailed("tls");
                listener.observer().failed(e, "tls handshake: " + describe(hf.cause()), clientAddress);
                next(e, backend);
            } else if (!caller.waiting()) {
                backend.close();
                e.release();
                outcome.failed(EndReason.CLIENT_ABORTED);
            } else {
                handshake(backend, e);
            }
        });
        // AUTO_READ is off; read from in front of the gate, so the handshake's reads are not taken
        // for the protocol asking for data.
        backend.pipeline().context(ssl).read();
    }

    private static String describe(Throwable cause) {
        Throwable c = cause;
        if (c instanceof io.netty.handler.codec.DecoderException && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    /**
     * Runs the protocol's handshake on a connected (or kept-alive) backend. {@link Handshake#NONE}
     * takes every backend, so the backend is taken at once, without a callback or an answer: an
     * http listener comes here once per request.
     */
    private void handshake(Channel backend, Endpoint e) {
        if (handshake == Handshake.NONE) {
            taken(backend, e, null);
        } else {
            handshake.start(backend, e, answer -> answered(backend, e, answer));
        }
    }

    private void answered(Channel backend, Endpoint e, Answer<D> answer) {
        switch (answer) {
            case Answer.Take<D> take -> taken(backend, e, take.detail());
            case Answer.Next<D> next -> {
                listener.metrics().backend(e.backend()).connectFailed(next.reason());
                String why = listener.config().mode().label() + " " + next.reason().replace('_', ' ');
                if (next.refused()) {
                    listener.observer().rejected(e, why, clientAddress);
                } else {
                    listener.observer().failed(e, why, clientAddress);
                }
                next(e, backend);
            }
        }
    }

    private void taken(Channel backend, Endpoint e, D detail) {
        listener.observer().succeeded(e, clientAddress);
        caller.taken(backend, e);
        outcome.connected(backend, e, detail);
    }

    /**
     * The endpoint could not take this connection: close what is open, give its slot back and
     * try the next one while retries remain.
     *
     * @param backend the backend channel to close, or null when the connect itself failed
     */
    private void next(Endpoint failed, Channel backend) {
        if (backend != null) {
            backend.close();
        }
        failed.release();
        if (tried.isEmpty()) {
            tried = new HashSet<>();
        }
        tried.add(failed);
        failures++;
        if (failures > pool.config().retries()) {
            outcome.failed(EndReason.ALL_BACKENDS_FAILED);
        } else {
            attempt();
        }
    }

    /** The local bind before the connect failed (Netty's native socket says "bind(..) failed"). */
    static boolean bindFailed(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.net.BindException || String.valueOf(c.getMessage()).startsWith("bind(")) {
                return true;
            }
        }
        return false;
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
        return QUEUE_DECIDED.compareAndSet(this, false, true);
    }

    @Override
    public void granted(Endpoint endpoint) {
        loop().execute(() -> {
            if (queueTimer != null) {
                queueTimer.cancel(false);
            }
            if (!caller.waiting()) {
                endpoint.release();
                outcome.failed(EndReason.CLIENT_ABORTED);
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
            outcome.failed(tried.isEmpty() ? EndReason.NO_BACKEND : EndReason.ALL_BACKENDS_FAILED);
        });
    }

    /** A tcp or dicom connection dialing for itself: the backend becomes the connection's. */
    private record WholeConnection(ProxyConnection whole) implements Caller {
        @Override
        public Channel connection() {
            return whole.client();
        }

        @Override
        public boolean waiting() {
            return whole.client().isActive();
        }

        @Override
        public java.net.InetSocketAddress client() {
            return whole.record().client();
        }

        @Override
        public ListenerContext listener() {
            return whole.listener();
        }

        @Override
        public org.dicomlb.engine.access.ConnectionRecord record() {
            return whole.record();
        }

        @Override
        public void taken(Channel backend, Endpoint endpoint) {
            whole.backendConnected(backend, endpoint);
        }
    }

    /**
     * The backend channel's first handler, closing on any exception until the handshake or relay
     * installs its own. A failed TLS handshake also surfaces here as an exception: the dialer has
     * heard of it through the handshake future and closes the channel; nothing is left to report.
     * Once handlers follow it, an exception goes on to them: a reset or a TLS record that does not
     * decrypt is the backend's error (end=backend_error), not the backend closing.
     */
    @ChannelHandler.Sharable
    private static final class Unhandled extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.pipeline().last() == this) {
                ctx.close();
            } else {
                ctx.fireExceptionCaught(cause);
            }
        }
    }
}
