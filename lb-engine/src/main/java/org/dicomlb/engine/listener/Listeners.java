package org.dicomlb.engine.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.HttpMode;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.SourceAddress;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.EndpointObserver;
import org.dicomlb.engine.relay.ProxyConnection;
import org.dicomlb.engine.relay.RelayOptions;
import org.dicomlb.io.EventLoops;
import org.dicomlb.io.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The set of bound listeners, changed in two phases so a reload is all-or-nothing: {@link
 * #prepare} binds every new address without accepting (undone by {@link #rollback} if anything
 * fails), {@link #commit} then starts them, updates kept ones and closes removed ones. Closing a
 * listening socket leaves its accepted connections running, told to wind down where their
 * protocol allows ({@link ProxyConnection#drain}). Control thread only.
 */
public final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private static final long SWEEP_SECONDS = 5;

    private final EventLoops.Group io;
    private final EngineMetrics metrics;
    private final Function<String, Pool> pools;
    private final Frontends frontends;
    private final EndpointObserver observer;
    private final AccessLog accessLog;
    // Concurrent because status and drain read them from other threads; only the control thread writes.
    private final Map<InetSocketAddress, ListenerRuntime> bound = new ConcurrentHashMap<>();
    /** Connection ids, unique within the process for as long as it runs. */
    private final AtomicLong ids = new AtomicLong();
    /** Listeners no longer accepting whose connections may still be running (for draining). */
    private final List<ListenerRuntime> retired = new CopyOnWriteArrayList<>();
    /** Addresses that float between appliances (the VIP): bound whether or not this host has them now. */
    private volatile Set<InetAddress> floating = Set.of();

    public Listeners(EventLoops.Group io, EngineMetrics metrics, Function<String, Pool> pools, Frontends frontends,
                     EndpointObserver observer, AccessLog accessLog) {
        this.io = io;
        this.metrics = metrics;
        this.pools = pools;
        this.frontends = frontends;
        this.observer = observer;
        this.accessLog = accessLog;
    }

    /**
     * The floating addresses (a VIP that keepalived moves between this appliance and its peer).
     * A listener on one of them binds with {@code IP_FREEBIND}, so it binds on the backup too and
     * a takeover needs no rebinding; any other address must be on the host, as before, so a typo
     * in a bind address is still an error.
     */
    public void floating(Set<InetAddress> addresses) {
        floating = Set.copyOf(addresses);
    }

    /** Listeners bound now, by address. */
    public Map<InetSocketAddress, ListenerRuntime> bound() {
        return Map.copyOf(bound);
    }

    /** New sockets bound by {@link #prepare}, not yet accepting. */
    public record Plan(List<ListenerConfig> wanted, Map<InetSocketAddress, ListenerRuntime> added) {
    }

    /** Thrown when a listener cannot bind; nothing was changed. */
    public static final class BindFailure extends Exception {
        public BindFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Plan prepare(List<ListenerConfig> wanted) throws BindFailure {
        Map<InetSocketAddress, ListenerRuntime> added = new LinkedHashMap<>();
        checkTransparent(wanted);
        for (ListenerConfig c : wanted) {
            if (c.mode().inKernel() || bound.containsKey(c.bind())) {
                continue; // the kernel serves it (lb-l4): no socket here
            }
            if (!frontends.supports(c.mode())) {
                rollback(new Plan(wanted, added));
                throw new BindFailure("listener '" + c.name() + "': mode " + c.mode().label() + " is not available", null);
            }
            ListenerRuntime runtime = new ListenerRuntime(c, metrics, pools, observer, accessLog, ids::incrementAndGet);
            boolean floats = floating.contains(c.bind().getAddress());
            ServerBootstrap b = bootstrap(runtime);
            if (floats && io.transport() == Transport.EPOLL) {
                // FREEBIND: bind the VIP on the backup too. TRANSPARENT (needs CAP_NET_ADMIN, which the
                // VIP's keepalived needs anyway; without it Netty warns and FREEBIND alone still binds):
                // the accepted connections inherit it and may still send from the VIP once it has left
                // this host, so a connection closed after a takeover (or by a dying dicomlb, whose
                // keepalived may drop the VIP before the kernel closes its sockets) reaches the client
                // as a FIN or reset instead of silence until the modality's own timeout.
                b.option(EpollChannelOption.IP_FREEBIND, true);
                b.option(EpollChannelOption.IP_TRANSPARENT, true);
            }
            ChannelFuture f = b.bind(c.bind()).awaitUninterruptibly();
            if (!f.isSuccess()) {
                rollback(new Plan(wanted, added));
                throw new BindFailure("listener '" + c.name() + "' cannot bind " + SocketAddresses.format(c.bind()) + ": "
                        + f.cause().getMessage() + (floats && io.transport() != Transport.EPOLL
                        ? " (a VIP this node may not hold: the NIO transport cannot bind it without sysctl"
                                + " net.ipv4.ip_nonlocal_bind=1)" : ""), f.cause());
            }
            runtime.serverChannel(f.channel());
            // Idle sources leave the source-limits table even when no connection ends to drop them.
            var sweeper = f.channel().eventLoop().scheduleAtFixedRate(runtime::sweepSources, SWEEP_SECONDS, SWEEP_SECONDS,
                    java.util.concurrent.TimeUnit.SECONDS);
            f.channel().closeFuture().addListener(x -> sweeper.cancel(false));
            added.put(c.bind(), runtime);
        }
        return new Plan(wanted, added);
    }

    /**
     * {@code source: client} connects to backends from the client's address: a socket option only
     * epoll sets ({@code IP_TRANSPARENT}), and only with CAP_NET_ADMIN. Both are checked before
     * anything changes, so a listener is never started that would fail every connection.
     */
    private void checkTransparent(List<ListenerConfig> wanted) throws BindFailure {
        List<String> transparent = wanted.stream().filter(c -> !c.mode().inKernel() && c.source() == SourceAddress.CLIENT)
                .map(ListenerConfig::name).toList();
        if (transparent.isEmpty()) {
            return;
        }
        String which = "listener(s) " + String.join(", ", transparent) + " with source: client";
        if (io.transport() != Transport.EPOLL) {
            throw new BindFailure(which + " need the epoll transport (IP_TRANSPARENT), which is not in use: "
                    + Transport.epollUnavailableBecause(), null);
        }
        io.netty.channel.epoll.EpollSocketChannel probe = new io.netty.channel.epoll.EpollSocketChannel();
        try {
            probe.config().setOption(EpollChannelOption.IP_TRANSPARENT, true);
        } catch (io.netty.channel.ChannelException e) {
            throw new BindFailure(which + " need IP_TRANSPARENT, which this process may not set (it needs the"
                    + " CAP_NET_ADMIN capability): " + e.getMessage(), e);
        } finally {
            probe.unsafe().closeForcibly();
        }
    }

    public void rollback(Plan plan) {
        plan.added().values().forEach(r -> r.serverChannel().close().awaitUninterruptibly());
    }

    /**
     * Starts what {@code plan} bound, updates kept listeners and closes removed ones.
     *
     * @param limits each wanted listener's connection limit in force, in {@code plan.wanted()} order
     */
    public void commit(Plan plan, List<Integer> limits) {
        Map<InetSocketAddress, ListenerConfig> wanted = new LinkedHashMap<>();
        Map<InetSocketAddress, Integer> limitByAddress = new LinkedHashMap<>();
        for (int i = 0; i < plan.wanted().size(); i++) {
            ListenerConfig c = plan.wanted().get(i);
            if (c.mode().inKernel()) {
                continue; // a socket bound here for the same address (another mode before) closes below
            }
            wanted.put(c.bind(), c);
            limitByAddress.put(c.bind(), limits.get(i));
        }
        List<InetSocketAddress> gone = new ArrayList<>();
        for (var e : bound.entrySet()) {
            ListenerConfig c = wanted.get(e.getKey());
            if (c == null) {
                gone.add(e.getKey());
            } else {
                String oldName = e.getValue().config().name();
                e.getValue().update(c, limitByAddress.get(e.getKey()));
                if (!oldName.equals(c.name())) {
                    metrics.removeListener(oldName);
                }
            }
        }
        for (InetSocketAddress a : gone) {
            ListenerRuntime r = bound.remove(a);
            r.serverChannel().close().awaitUninterruptibly();
            retired.removeIf(old -> old.openConnections() == 0);
            retired.add(r);
            // An http connection has a clean point to stop at (between requests); tcp and dicom ones run on.
            r.drain(EndReason.LISTENER_REMOVED);
            metrics.removeListener(r.config().name());
            LOG.info("listener '{}' on {} stopped accepting; {} open connection(s) continue{}",
                    r.config().name(), SocketAddresses.format(a), r.openConnections(),
                    r.config().mode() instanceof HttpMode ? " until their requests in progress are answered" : "");
        }
        for (var e : plan.added().entrySet()) {
            ListenerRuntime r = e.getValue();
            r.update(r.config(), limitByAddress.get(e.getKey()));
            bound.put(e.getKey(), r);
            r.startAccepting();
            LOG.info("listener '{}' ({}) accepting on {} for pool '{}'", r.config().name(), r.config().mode().label(),
                    SocketAddresses.format(e.getKey()), Objects.requireNonNullElse(r.config().pool(), "(routes only)"));
        }
    }

    /**
     * Stops accepting everywhere (dicomlb is stopping); accepted connections continue, asked to
     * wind down at their protocol's next clean point ({@link ProxyConnection#drain}).
     */
    public void closeAll() {
        for (ListenerRuntime r : bound.values()) {
            r.serverChannel().close().awaitUninterruptibly();
            retired.add(r);
            r.drain(EndReason.SHUTDOWN);
        }
        bound.clear();
    }

    /** Ends every open connection, on any listener, for {@code reason}. */
    public void endAll(EndReason reason) {
        endWhere(c -> true, reason);
    }

    /** Ends the open connections that match, on any listener, for {@code reason}. */
    public void endWhere(Predicate<ProxyConnection> which, EndReason reason) {
        bound.values().forEach(r -> r.endWhere(which, reason));
        retired.forEach(r -> r.endWhere(which, reason));
    }

    /** Every open connection, including those of listeners that stopped accepting (a copy). */
    public List<ProxyConnection> live() {
        List<ProxyConnection> all = new ArrayList<>();
        bound.values().forEach(r -> all.addAll(r.live()));
        retired.forEach(r -> all.addAll(r.live()));
        return all;
    }

    /** Ends the open connections accepted on a floating address; returns how many there were. */
    public int endFloating(EndReason reason) {
        Set<InetAddress> now = floating;
        int n = 0;
        for (ListenerRuntime r : bound.values()) {
            if (now.contains(r.config().bind().getAddress())) {
                n += r.openConnections();
                r.endWhere(c -> true, reason);
            }
        }
        return n;
    }

    /** Open client connections, including those of listeners that stopped accepting. */
    public int openConnections() {
        return bound.values().stream().mapToInt(ListenerRuntime::openConnections).sum()
                + retired.stream().mapToInt(ListenerRuntime::openConnections).sum();
    }

    private ServerBootstrap bootstrap(ListenerRuntime runtime) {
        return new ServerBootstrap()
                .group(io.group())
                .channel(io.transport().serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // Bound but not accepting until the whole reload is known to succeed.
                .option(ChannelOption.AUTO_READ, false)
                .handler(new AcceptGuard(runtime))
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RelayOptions.READS)
                .childOption(ChannelOption.ALLOCATOR, RelayOptions.BUFFERS)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, RelayOptions.WATER_MARK)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        runtime.accepted(ch, frontends);
                    }
                });
    }
}
