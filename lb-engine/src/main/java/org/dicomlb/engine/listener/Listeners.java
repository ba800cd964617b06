package org.dicomlb.engine.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.engine.config.ListenerConfig;
import org.dicomlb.engine.config.ListenerMode;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.relay.Dialer;
import org.dicomlb.engine.relay.EndpointObserver;
import org.dicomlb.engine.relay.FrontendFactory;
import org.dicomlb.engine.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The set of bound listeners, changed in two phases so a reload is all-or-nothing: {@link
 * #prepare} binds every new address without accepting (undone by {@link #rollback} if anything
 * fails), {@link #commit} then starts them, updates kept ones and closes removed ones. Closing a
 * listening socket leaves its accepted connections running. Control thread only.
 */
public final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final Transport transport;
    private final EngineMetrics metrics;
    private final Function<String, Pool> pools;
    private final Map<ListenerMode, FrontendFactory> frontends = new EnumMap<>(ListenerMode.class);
    // Concurrent because status and drain read them from other threads; only the control thread writes.
    private final Map<InetSocketAddress, ListenerRuntime> bound = new java.util.concurrent.ConcurrentHashMap<>();
    /** Listeners no longer accepting whose connections may still be running (for draining). */
    private final List<ListenerRuntime> retired = new java.util.concurrent.CopyOnWriteArrayList<>();
    private EndpointObserver observer = EndpointObserver.NONE;

    public Listeners(Transport transport, EngineMetrics metrics, Function<String, Pool> pools) {
        this.transport = transport;
        this.metrics = metrics;
        this.pools = pools;
    }

    public void frontend(ListenerMode mode, FrontendFactory factory) {
        frontends.put(mode, factory);
    }

    public void observer(EndpointObserver o) {
        this.observer = o;
        bound.values().forEach(l -> l.observer(o));
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
        for (ListenerConfig c : wanted) {
            if (bound.containsKey(c.bind())) {
                continue;
            }
            if (!frontends.containsKey(c.mode())) {
                rollback(new Plan(wanted, added));
                throw new BindFailure("listener '" + c.name() + "': mode " + c.mode() + " is not available", null);
            }
            ListenerRuntime runtime = new ListenerRuntime(c, metrics, pools, observer);
            ChannelFuture f = bootstrap(runtime).bind(c.bind()).awaitUninterruptibly();
            if (!f.isSuccess()) {
                rollback(new Plan(wanted, added));
                throw new BindFailure("listener '" + c.name() + "' cannot bind " + SocketAddresses.format(c.bind()) + ": "
                        + f.cause().getMessage(), f.cause());
            }
            runtime.serverChannel(f.channel());
            added.put(c.bind(), runtime);
        }
        return new Plan(wanted, added);
    }

    public void rollback(Plan plan) {
        plan.added().values().forEach(r -> r.serverChannel().close().awaitUninterruptibly());
    }

    public void commit(Plan plan) {
        Map<InetSocketAddress, ListenerConfig> wanted = new LinkedHashMap<>();
        plan.wanted().forEach(c -> wanted.put(c.bind(), c));
        List<InetSocketAddress> gone = new ArrayList<>();
        for (var e : bound.entrySet()) {
            ListenerConfig c = wanted.get(e.getKey());
            if (c == null) {
                gone.add(e.getKey());
            } else {
                String oldName = e.getValue().config().name();
                e.getValue().update(c);
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
            metrics.removeListener(r.config().name());
            LOG.info("listener '{}' on {} stopped accepting; {} open connection(s) continue",
                    r.config().name(), SocketAddresses.format(a), r.openConnections());
        }
        for (var e : plan.added().entrySet()) {
            bound.put(e.getKey(), e.getValue());
            e.getValue().startAccepting();
            LOG.info("listener '{}' ({}) accepting on {} for pool '{}'", e.getValue().config().name(),
                    e.getValue().config().mode().name().toLowerCase(java.util.Locale.ROOT),
                    SocketAddresses.format(e.getKey()), java.util.Objects.requireNonNullElse(e.getValue().config().pool(), "(routes only)"));
        }
    }

    /** Stops accepting everywhere; accepted connections continue. */
    public void closeAll() {
        for (ListenerRuntime r : bound.values()) {
            r.serverChannel().close().awaitUninterruptibly();
            retired.add(r);
        }
        bound.clear();
    }

    /** Ends every open connection, on any listener, for {@code reason}. */
    public void endAll(org.dicomlb.engine.access.EndReason reason) {
        endWhere(c -> true, reason);
    }

    /** Ends the open connections that match, on any listener, for {@code reason}. */
    public void endWhere(java.util.function.Predicate<org.dicomlb.engine.relay.ProxyConnection> which,
                         org.dicomlb.engine.access.EndReason reason) {
        bound.values().forEach(r -> r.endWhere(which, reason));
        retired.forEach(r -> r.endWhere(which, reason));
    }

    /** Open client connections, including those of listeners that stopped accepting. */
    public int openConnections() {
        return bound.values().stream().mapToInt(ListenerRuntime::openConnections).sum()
                + retired.stream().mapToInt(ListenerRuntime::openConnections).sum();
    }

    private ServerBootstrap bootstrap(ListenerRuntime runtime) {
        return new ServerBootstrap()
                .group(transport.group())
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // Bound but not accepting until the whole reload is known to succeed.
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, Dialer.READS)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Dialer.WATER_MARK)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("frontend", frontends.get(runtime.config().mode()).create(runtime));
                    }
                });
    }
}
