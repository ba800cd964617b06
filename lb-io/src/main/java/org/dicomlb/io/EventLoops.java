package org.dicomlb.io;

import io.netty.channel.EventLoopGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's event loop groups, made in one place with one transport: the proxy's I/O
 * loops, the health checker's, the admin listener's, the GSLB's. Each part gets a group of its
 * own so that a saturated data plane cannot delay a health probe, a DNS answer or a metrics
 * scrape; all share the transport, so every channel class matches every group.
 *
 * <p>Groups are made on first request and shut down together by {@link #close()}.
 */
public final class EventLoops implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    /** One named group and the transport whose channel classes go with it. */
    public record Group(String name, EventLoopGroup group, Transport transport) {
        public Group {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(transport, "transport");
        }
    }

    private final Transport transport;
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private boolean closed;

    private EventLoops(Transport transport) {
        this.transport = transport;
    }

    /**
     * Event loops on native epoll when it loads (a warning says why when it does not), or on NIO
     * when {@code preferEpoll} is false (for comparison runs).
     */
    public static EventLoops create(boolean preferEpoll) {
        Transport t = preferEpoll ? Transport.best() : Transport.NIO;
        if (preferEpoll && t != Transport.EPOLL) {
            LOG.warn("native epoll unavailable ({}); using NIO", Transport.epollUnavailableBecause());
        }
        return new EventLoops(t);
    }

    public Transport transport() {
        return transport;
    }

    /**
     * The group called {@code name}, made with {@code threads} threads (0: one per core) the first
     * time it is asked for; later requests get the same group whatever {@code threads} they give.
     */
    public synchronized Group group(String name, int threads) {
        return group(name, threads, false);
    }

    /**
     * Like {@link #group}, but each thread bound to a CPU of its own, in the order of the CPUs
     * this process may use, when binding is possible here and there are no more threads than
     * those CPUs; otherwise (said in the log) a group the kernel places freely. For the proxy's
     * I/O loops (see {@link CpuAffinity} for why).
     */
    public synchronized Group boundGroup(String name, int threads) {
        return group(name, threads, true);
    }

    private Group group(String name, int threads, boolean bound) {
        if (closed) {
            throw new IllegalStateException("event loops are closed");
        }
        return groups.computeIfAbsent(name, n -> {
            int size = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            String threadName = "dicomlb-" + n;
            List<Integer> cpus = bound ? cpusFor(n, size) : List.of();
            EventLoopGroup g = cpus.isEmpty() ? transport.newGroup(size, threadName)
                    : transport.newGroup(size, threadName, cpus, why -> LOG.warn("{} thread not bound to its CPU: {}", n, why));
            return new Group(n, g, transport);
        });
    }

    /** The CPUs to bind the {@code size} threads of group {@code name} to, or none (the log says why). */
    private static List<Integer> cpusFor(String name, int size) {
        List<Integer> cpus;
        try {
            cpus = CpuAffinity.allowed();
        } catch (IllegalStateException e) {
            LOG.info("{} threads not bound to CPUs: {}", name, e.getMessage());
            return List.of();
        }
        if (size > cpus.size()) {
            LOG.info("{} threads ({}) not bound to CPUs: more of them than CPUs this process may use ({})", name, size,
                    cpus.size());
            return List.of();
        }
        List<Integer> to = cpus.subList(0, size);
        LOG.info("{} threads ({}) bound to CPUs {}", name, size, to);
        return to;
    }

    /** Stops every group, each given two seconds to finish what is queued. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Group g : groups.values()) {
            g.group().shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        for (Group g : groups.values()) {
            g.group().terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
