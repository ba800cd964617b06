package org.dicomlb.engine.listener;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.EndpointObserver;
import org.dicomlb.engine.relay.ListenerContext;

/**
 * One bound listening socket. It is keyed by bind address, so a reload that keeps the address
 * keeps the socket (no missed SYNs) even when the name, mode or pool change; new connections
 * simply see the new settings.
 *
 * <p>{@code max-connections} is enforced by pausing accept (the kernel backlog holds further
 * clients, as HAProxy's maxconn does) and, for the few that a single accept batch lets through,
 * by the frontend refusing them in protocol terms.
 */
public final class ListenerRuntime implements ListenerContext {
    private final EngineMetrics metrics;
    private final Function<String, Pool> pools;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean paused = new AtomicBoolean();
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
        if (open.get() < c.maxConnections()) {
            resume();
        }
    }

    void observer(EndpointObserver o) {
        this.observer = o;
    }

    void serverChannel(Channel ch) {
        this.serverChannel = ch;
    }

    Channel serverChannel() {
        return serverChannel;
    }

    public int openConnections() {
        return open.get();
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
    public boolean admit() {
        int n = open.incrementAndGet();
        int max = config.maxConnections();
        if (n >= max && paused.compareAndSet(false, true)) {
            Channel ch = serverChannel;
            if (ch != null) {
                ch.config().setAutoRead(false);
            }
        }
        return n <= max;
    }

    @Override
    public void connectionClosed() {
        if (open.decrementAndGet() < config.maxConnections()) {
            resume();
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
