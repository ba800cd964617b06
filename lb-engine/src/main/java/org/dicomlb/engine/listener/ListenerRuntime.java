package org.dicomlb.engine.listener;

import io.netty.channel.Channel;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.EndpointObserver;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.ProxyConnection;

/**
 * One bound listening socket. It is keyed by bind address, so a reload that keeps the address
 * keeps the socket (no missed SYNs) even when the name, mode or pool change; new connections
 * simply see the new settings.
 *
 * <p>{@code max-connections} is enforced by pausing accept, so the kernel backlog holds further
 * clients as HAProxy's maxconn does. Netty may complete one more accept after the pause; such
 * connections are parked (not read, not dialed) until a slot frees, never refused, and only a
 * bounded number of them is kept.
 */
public final class ListenerRuntime implements ListenerContext {
    private final EngineMetrics metrics;
    private final Function<String, Pool> pools;
    /** Parked connections beyond this are refused: accept is paused, so this is a safety net. */
    static final int PARK_LIMIT = 1024;

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final java.util.concurrent.ConcurrentLinkedQueue<Parked> parked = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicInteger parkedCount = new AtomicInteger();
    /** Every connection accepted and not yet ended, so shutdown can end them with a reason. */
    private final java.util.Set<ProxyConnection> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private record Parked(ProxyConnection connection, Runnable start) {
    }
    private volatile ListenerConfig config;
    private volatile EngineMetrics.ListenerMeters meters;
    private volatile EndpointObserver observer;
    private volatile Channel serverChannel;

    ListenerRuntime(ListenerConfig config, EngineMetrics metrics, Function<String, Pool> pools, EndpointObserver observer) {
        this.metrics = metrics;
        this.pools = pools;
        this.observer = observer;
        update(config);
    }

    void update(ListenerConfig c) {
        this.config = c;
        this.meters = metrics.listener(c.name());
        meters.queueLength(this::waiting);
        if (open.get() < c.maxConnections()) {
            resume();
        }
    }

    void observer(EndpointObserver o) {
        this.observer = o;
    }

    /**
     * Clients waiting for this listener: those parked here plus those the kernel holds while
     * accept is paused at max-connections. NaN when the kernel cannot be asked (NIO transport).
     */
    double waiting() {
        int parkedNow = parkedCount.get();
        Channel ch = serverChannel;
        if (ch == null) {
            return parkedNow;
        }
        OptionalInt kernel = AcceptQueue.length(ch);
        return kernel.isPresent() ? parkedNow + kernel.getAsInt() : Double.NaN;
    }

    void serverChannel(Channel ch) {
        this.serverChannel = ch;
    }

    Channel serverChannel() {
        return serverChannel;
    }

    /** Connections accepted and not yet ended (including any parked at the limit). */
    public int openConnections() {
        return live.size();
    }

    @Override
    public ListenerConfig config() {
        return config;
    }

    @Override
    public Pool pool(String name) {
        return pools.apply(name);
    }

    @Override
    public EngineMetrics metrics() {
        return metrics;
    }

    @Override
    public EngineMetrics.ListenerMeters meters() {
        return meters;
    }

    @Override
    public EndpointObserver observer() {
        return observer;
    }

    @Override
    public void opened(ProxyConnection connection) {
        live.add(connection);
    }

    @Override
    public void ended(ProxyConnection connection) {
        live.remove(connection);
    }

    /** Ends the open connections that match, for {@code reason}, each on its own loop. */
    void endWhere(java.util.function.Predicate<ProxyConnection> which, EndReason reason) {
        for (ProxyConnection c : live) {
            c.client().eventLoop().execute(() -> {
                if (which.test(c)) {
                    c.close(reason);
                }
            });
        }
    }

    @Override
    public void admit(ProxyConnection connection, Runnable start) {
        if (takeSlot()) {
            startAdmitted(connection, start);
            return;
        }
        if (parkedCount.incrementAndGet() > PARK_LIMIT) {
            parkedCount.decrementAndGet();
            connection.fail(EndReason.MAX_CONNECTIONS);
            return;
        }
        parked.add(new Parked(connection, start));
        // A slot may have freed between takeSlot() and add().
        unpark();
    }

    /** Counts one more running connection if under the limit; pauses accept on reaching it. */
    private boolean takeSlot() {
        int max = config.maxConnections();
        for (;;) {
            int n = open.get();
            if (n >= max) {
                pause();
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                if (n + 1 >= max) {
                    pause();
                }
                return true;
            }
        }
    }

    /** Runs on the connection's loop; a connection that already left gives its slot back. */
    private void startAdmitted(ProxyConnection connection, Runnable start) {
        var ch = connection.client();
        Runnable run = () -> {
            if (!ch.isActive()) {
                connectionClosed();
                return;
            }
            connection.admitted();
            start.run();
        };
        if (ch.eventLoop().inEventLoop()) {
            run.run();
        } else {
            ch.eventLoop().execute(run);
        }
    }

    private void unpark() {
        while (parkedCount.get() > 0 && takeSlot()) {
            Parked p = parked.poll();
            if (p == null) {
                open.decrementAndGet();
                break;
            }
            parkedCount.decrementAndGet();
            startAdmitted(p.connection(), p.start());
        }
    }

    @Override
    public void connectionClosed() {
        open.decrementAndGet();
        unpark();
        if (open.get() < config.maxConnections() && parkedCount.get() == 0) {
            resume();
        }
    }

    private void pause() {
        if (paused.compareAndSet(false, true)) {
            Channel ch = serverChannel;
            if (ch != null) {
                ch.config().setAutoRead(false);
            }
        }
    }

    private void resume() {
        if (paused.compareAndSet(true, false)) {
            Channel ch = serverChannel;
            if (ch != null) {
                ch.config().setAutoRead(true);
            }
        }
    }

    /** Starts accepting unless at the connection limit. */
    void startAccepting() {
        Channel ch = serverChannel;
        if (ch != null && !paused.get()) {
            ch.config().setAutoRead(true);
        }
    }
}
