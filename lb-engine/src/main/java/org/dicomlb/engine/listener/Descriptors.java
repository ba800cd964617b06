package org.dicomlb.engine.listener;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.dicomlb.engine.config.ListenerConfig;

/**
 * How many relayed connections the process's file descriptors can carry, and each listener's
 * share of them. Every relayed connection holds two descriptors (client and backend); the rest
 * of the appliance needs some too (health probes, the admin listener, the access log, the JVM's
 * own files). When the listeners' {@code max-connections} add up to more than the descriptors
 * allow, each listener's limit in force is cut in proportion, so that a flood of idle clients
 * fills the listeners' backlogs instead of exhausting descriptors: an {@code accept} failing with
 * "too many open files" would also starve health checks, and every backend would look down.
 */
public final class Descriptors {
    /** What a running appliance may open besides relayed connections, at least. */
    static final int MIN_RESERVE = 128;

    private Descriptors() {
    }

    /**
     * The budget for {@code limit} descriptors with {@code inUse} open now besides relayed
     * connections, keeping {@code extraReserve} more (one per health-checked endpoint).
     */
    public record Budget(long limit, long inUse, long reserve, int connections) {
        /** Unlimited, for platforms that cannot say. */
        static final Budget UNKNOWN = new Budget(-1, -1, 0, Integer.MAX_VALUE);

        public boolean known() {
            return limit > 0;
        }
    }

    /** The process's open-files limit and descriptors open now, when the platform tells. */
    static OptionalLong limit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return OptionalLong.of(unix.getMaxFileDescriptorCount());
        }
        return OptionalLong.empty();
    }

    static long openNow() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return unix.getOpenFileDescriptorCount();
        }
        return -1;
    }

    /** The budget of this process now; see {@link #budget(long, long, int, int)}. */
    public static Budget budget(int relayedNow, int extraReserve) {
        OptionalLong limit = limit();
        return limit.isEmpty() ? Budget.UNKNOWN : budget(limit.getAsLong(), openNow(), relayedNow, extraReserve);
    }

    /**
     * @param relayedNow   client connections open now (two descriptors each, already counted in {@code openNow})
     * @param extraReserve descriptors to keep for health probes in flight
     */
    static Budget budget(long limit, long openNow, int relayedNow, int extraReserve) {
        if (limit <= 0 || openNow < 0) {
            return Budget.UNKNOWN;
        }
        long base = Math.max(0, openNow - 2L * relayedNow);
        long reserve = Math.max(MIN_RESERVE, limit / 16) + extraReserve;
        long free = limit - base - reserve;
        int connections = (int) Math.max(1, Math.min(Integer.MAX_VALUE, free / 2));
        return new Budget(limit, base, reserve, connections);
    }

    /**
     * Each listener's limit in force: its {@code max-connections} when they all fit in the budget,
     * else its share of the budget in proportion to its {@code max-connections} (at least one).
     * Kernel listeners (dsr, nat) hold no descriptors: theirs is their own maximum.
     */
    public static List<Integer> share(List<ListenerConfig> listeners, Budget budget) {
        long total = 0;
        for (ListenerConfig l : listeners) {
            total += l.mode().inKernel() ? 0 : l.maxConnections();
        }
        List<Integer> out = new ArrayList<>();
        for (ListenerConfig l : listeners) {
            if (total <= budget.connections() || l.mode().inKernel()) {
                out.add(l.maxConnections());
            } else {
                out.add((int) Math.max(1, (long) budget.connections() * l.maxConnections() / total));
            }
        }
        return out;
    }
}
