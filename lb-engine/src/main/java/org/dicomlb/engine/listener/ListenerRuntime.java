package org.dicomlb.engine.listener;

import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.DicomMode;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.ConnectionOwner;
import org.dicomlb.engine.relay.EndpointObserver;
import org.dicomlb.engine.relay.ListenerContext;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.tls.ServerTls;
import org.dicomlb.tls.TlsReadErrors;
import org.dicomlb.tls.TlsReadGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bound listening socket. It is keyed by bind address, so a reload that keeps the address
 * keeps the socket (no missed SYNs) even when the name, mode or pool change; new connections
 * simply see the new settings.
 *
 * <p>{@code max-connections} is enforced by pausing accept, so the kernel backlog holds further
 * clients as HAProxy's maxconn does. Netty may complete one more accept after the pause; such
 * connections are parked (not read, not dialed) until a slot frees, never refused, and only a
 * bounded number of them is kept. The limit in force may be lower than the configured one when
 * the process's descriptors could not carry it ({@link Descriptors}).
 */
public final class ListenerRuntime implements ListenerContext, ConnectionOwner {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerRuntime.class);
    /** Parked connections beyond this are refused: accept is paused, so this is a safety net. */
    static final int PARK_LIMIT = 1024;
    /** The bookkeeping of an accepted channel, opened at accept, found again by its frontend. */
    private static final AttributeKey<ProxyConnection> CONNECTION = AttributeKey.valueOf("dicomlb.connection");
    private static final long FULL_WARNING_NANOS = 10_000_000_000L;

    private final EngineMetrics metrics;
    private final Function<String, Pool> pools;
    private final EndpointObserver observer;
    private final AccessLog accessLog;
    private final LongSupplier ids;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Parked> parked = new ConcurrentLinkedQueue<>();
    private final AtomicInteger parkedCount = new AtomicInteger();
    /** Every connection accepted and not yet ended, so shutdown can end them with a reason. */
    private final Set<ProxyConnection> live = ConcurrentHashMap.newKeySet();
    private volatile ListenerConfig config;
    private volatile int limit;
    private volatile EngineMetrics.ListenerMeters meters;
    private volatile Channel serverChannel;
    /** Accept is held back after the process ran out of descriptors (see {@link AcceptGuard}). */
    private volatile boolean backingOff;
    /** Why the listener's connections wind down (dicomlb stopping, the listener removed); null until then. */
    private volatile EndReason draining;
    /** Per-source accounting, made when the listener first has source-limits and kept across reloads. */
    private volatile SourceTable sources;
    private final java.util.concurrent.atomic.AtomicLong lastFullWarning = new java.util.concurrent.atomic.AtomicLong();

    private record Parked(ProxyConnection connection, Runnable start) {
    }

    ListenerRuntime(ListenerConfig config, EngineMetrics metrics, Function<String, Pool> pools, EndpointObserver observer,
                    AccessLog accessLog, LongSupplier ids) {
        this.ids = ids;
        this.metrics = metrics;
        this.pools = pools;
        this.observer = observer;
        this.accessLog = accessLog;
        update(config, config.maxConnections());
    }

    /** New settings, and the connection limit in force (at most the configured one). */
    void update(ListenerConfig c, int limitInForce) {
        this.config = c;
        this.limit = Math.max(1, Math.min(c.maxConnections(), limitInForce));
        this.meters = metrics.listener(c.name());
        meters.queueLength(this::waiting);
        if (c.tls().isPresent()) {
            meters.certificateNotAfter(() -> config.tls().flatMap(t -> t.material().notAfter())
                    .map(i -> (double) i.getEpochSecond()).orElse(Double.NaN));
        }
        c.sourceLimits().ifPresent(l -> {
            // Kept across reloads: open connections give their counts back to the table that took them.
            if (sources == null) {
                sources = new SourceTable(l);
            } else {
                sources.limits(l);
            }
            SourceTable table = sources;
            meters.sourcesTracked(table::size);
        });
        if (open.get() < limit) {
            resume();
        }
    }

    /** The connection limit in force now. */
    public int limit() {
        return limit;
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

    /**
     * Sets up a channel just accepted: its bookkeeping (so that even a connection refused here or
     * failing its TLS handshake is counted and logged), the source limits, TLS, then the frontend.
     */
    void accepted(Channel ch, Frontends frontends) {
        ListenerConfig c = config;
        ProxyConnection connection = open(ch);
        SourceTable table = sources;
        if (c.sourceLimits().isPresent() && table != null) {
            InetSocketAddress from = (InetSocketAddress) ch.remoteAddress();
            switch (table.admit(from.getAddress(), System.nanoTime(), this::untracked)) {
                case SourceTable.Admitted a -> ch.closeFuture().addListener(f -> a.release());
                case SourceTable.Refused r -> {
                    if (c.tls().isPresent() || !(c.mode() instanceof DicomMode)) {
                        // No DICOM answer without a handshake, and the handshake is what a limit spares us.
                        connection.refusedAtAccept(r.reason());
                        ch.pipeline().addLast("refusal", new Refusal());
                        return;
                    }
                    connection.refuseAfterRequest(r.reason());
                }
            }
        }
        if (!c.mode().proxyProtocolFrom().isEmpty() && fromAny(c.mode().proxyProtocolFrom(), ch)) {
            // The upstream's PROXY header comes before anything else, TLS included.
            ProxyHeaderReader reader = new ProxyHeaderReader(connection, c.timeouts().request());
            ch.pipeline().addLast(ProxyHeaderReader.GUARD, reader.guard());
            ch.pipeline().addLast(ProxyHeaderReader.DECODER, new HAProxyMessageDecoder());
            ch.pipeline().addLast(ProxyHeaderReader.NAME, reader);
        }
        if (c.tls().isPresent()) {
            ServerTls tls = c.tls().get();
            SslHandler ssl = tls.newHandler(ch.alloc(), c.mode().applicationProtocols());
            ch.pipeline().addLast(TlsReadErrors.NAME, new TlsReadErrors(ssl));
            ch.pipeline().addLast("tls", ssl);
            ch.pipeline().addLast(TlsAccept.NAME, new TlsAccept(connection, tls.asksForClientCertificates()));
            ch.pipeline().addLast(TlsReadGate.NAME, new TlsReadGate());
        }
        ch.pipeline().addLast("frontend", frontends.create(this));
    }

    private static boolean fromAny(java.util.List<org.dicomlb.config.Cidr> trusted, Channel ch) {
        java.net.InetAddress peer = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        for (org.dicomlb.config.Cidr c : trusted) {
            if (c.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    /** The source table is full: this connection's source goes untracked (see {@link SourceTable}). */
    private void untracked() {
        meters.sourceTableFull();
        long now = System.nanoTime();
        long last = lastFullWarning.get();
        if (now - last > FULL_WARNING_NANOS && lastFullWarning.compareAndSet(last, now)) {
            LOG.warn("listener '{}': {} sources are active at once, the source-limits table is full (max-sources);"
                    + " new sources are admitted without per-source limits until it frees up", config.name(),
                    sources == null ? 0 : sources.size());
        }
    }

    /** Sweeps idle sources out of the table (the listener's own event loop, every few seconds). */
    void sweepSources() {
        SourceTable table = sources;
        if (table != null) {
            table.sweep(System.nanoTime(), 0);
        }
    }

    @Override
    public ProxyConnection open(Channel client) {
        ProxyConnection existing = client.attr(CONNECTION).get();
        if (existing != null) {
            return existing;
        }
        ProxyConnection c = new ProxyConnection(ids.getAsLong(), client, this, this, accessLog);
        client.attr(CONNECTION).set(c);
        live.add(c);
        // Accepted as the listener closed: drain() may have passed over it (added to live after its
        // loop), so it is told here. Added before this read, so one of the two tells it.
        EndReason d = draining;
        if (d != null) {
            c.drain(d);
        }
        return c;
    }

    /**
     * The listener stopped accepting for good ({@code why}: dicomlb is stopping, or a reload
     * removed it): each open connection is asked to wind down, on its own loop ({@link
     * ProxyConnection#drain}). Control thread (as {@link Listeners}); the first call counts.
     */
    void drain(EndReason why) {
        if (draining != null) {
            return;
        }
        draining = why;
        for (ProxyConnection c : live) {
            c.client().eventLoop().execute(() -> c.drain(why));
        }
    }

    @Override
    public void ended(ProxyConnection connection, boolean admitted) {
        live.remove(connection);
        if (admitted) {
            open.decrementAndGet();
            slotFreed();
        }
    }

    /** The connections accepted and not yet ended, at this instant (a copy; read them on their loops). */
    java.util.List<ProxyConnection> live() {
        return java.util.List.copyOf(live);
    }

    /** Ends the open connections that match, for {@code reason}, each on its own loop. */
    void endWhere(Predicate<ProxyConnection> which, EndReason reason) {
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
        for (;;) {
            int max = limit;
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
                open.decrementAndGet();
                slotFreed();
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

    private void slotFreed() {
        unpark();
        if (open.get() < limit && parkedCount.get() == 0) {
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
            if (ch != null && !backingOff) {
                ch.config().setAutoRead(true);
            }
        }
    }

    /** Holds accepting back for a while after the process ran out of descriptors. */
    void backOff(boolean on) {
        backingOff = on;
        Channel ch = serverChannel;
        if (ch != null) {
            ch.config().setAutoRead(!on && !paused.get());
        }
    }

    /** Starts accepting unless at the connection limit. */
    void startAccepting() {
        Channel ch = serverChannel;
        if (ch != null && !paused.get() && !backingOff) {
            ch.config().setAutoRead(true);
        }
    }
}
