package org.dicomlb.engine.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.pool.Endpoint;

/**
 * The kept-alive backend connections of one event loop, by endpoint. Each event loop has its own
 * (a connection is only reused by requests of the loop that made it, so nothing here is shared or
 * locked); the most recently used connection is taken first (the warmest, and the least likely to
 * have been closed by the backend's own keep-alive timeout). A connection idle longer than its
 * {@code idle-timeout} is closed by a sweep once a second while any is kept.
 */
final class IdleConnections {
    private static final FastThreadLocal<IdleConnections> LOCAL = new FastThreadLocal<>() {
        @Override
        protected IdleConnections initialValue() {
            return new IdleConnections();
        }
    };
    private static final long SWEEP_MILLIS = 1000;

    private final Map<Endpoint, ArrayDeque<BackendHandler>> idle = new HashMap<>();
    private int count;
    private ScheduledFuture<?> sweeper;

    /** The calling event loop's connections. Event loop threads only. */
    static IdleConnections here() {
        return LOCAL.get();
    }

    /**
     * An idle connection to {@code e}, taken out of the cache, or null. A queue left empty stays
     * for the connection's return (a new one per request was the busy loop's garbage); the sweep
     * drops empty ones.
     */
    Channel take(Endpoint e) {
        ArrayDeque<BackendHandler> q = idle.get(e);
        while (q != null && !q.isEmpty()) {
            BackendHandler h = q.pollLast();
            count--;
            h.cache(null);
            if (h.channel().isActive()) {
                return h.channel();
            }
        }
        return null;
    }

    /**
     * Keeps {@code h}'s connection for {@code e} unless {@code max} are kept already for it on this
     * loop; false when not kept (the caller closes it).
     */
    boolean park(Endpoint e, BackendHandler h, int max) {
        ArrayDeque<BackendHandler> q = idle.computeIfAbsent(e, x -> new ArrayDeque<>());
        if (q.size() >= max) {
            return false;
        }
        q.addLast(h);
        count++;
        h.cache(this);
        if (sweeper == null) {
            EventLoop loop = h.channel().eventLoop();
            sweeper = loop.scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
        return true;
    }

    /** The connection closed or was taken by the backend's data while kept: forget it. */
    void remove(Endpoint e, BackendHandler h) {
        ArrayDeque<BackendHandler> q = idle.get(e);
        if (q != null && q.remove(h)) {
            count--;
        }
    }

    /** Connections kept now on this loop (tests, status). */
    int size() {
        return count;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Iterator<ArrayDeque<BackendHandler>> it = idle.values().iterator(); it.hasNext(); ) {
            ArrayDeque<BackendHandler> q = it.next();
            // Listeners sharing a pool may keep its connections for different times: check them all.
            for (Iterator<BackendHandler> hs = q.iterator(); hs.hasNext(); ) {
                BackendHandler h = hs.next();
                if (h.expired(now)) {
                    hs.remove();
                    count--;
                    h.cache(null);
                    h.channel().close();
                }
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
        if (count == 0 && sweeper != null) {
            sweeper.cancel(false);
            sweeper = null;
        }
    }
}
