package org.dicomlb.engine.listener;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.config.SourceLimits;

/**
 * A listener's per-source accounting for {@code source-limits}: open connections and a rate
 * limiter per client address or subnet, checked when a connection is accepted.
 *
 * <p>The rate is a generic cell rate algorithm (a token bucket kept as one timestamp): each
 * source has a theoretical arrival time {@code tat}; a connection at {@code now} is refused when
 * {@code tat - now} exceeds the burst tolerance, else {@code tat} moves one interval on. An entry
 * with no open connection and {@code tat <= now} holds nothing a fresh entry would not, so it is
 * dropped when its last connection ends and by sweeps; only sources with open connections or a
 * recent burst take memory.
 *
 * <p>Bounded: at most {@code max-sources} entries. When the table is full even after a sweep
 * (that many sources active at once), a new source is admitted untracked (no per-source limit for
 * it, counted and warned): a flood from that many addresses is beyond what per-source limits can
 * stop, and the listener's {@code max-connections} still holds. Refusing every new source instead
 * would lock out the modalities the limits exist to protect.
 *
 * <p>Any thread: accepts on every event loop. Each entry is only touched inside the map's
 * per-key {@code compute}, which locks one bin for a few instructions; nothing else locks.
 */
final class SourceTable {
    /** Sweep at most this often when the table is full, and at most every {@link #SWEEP_NANOS} when half full. */
    private static final long FULL_SWEEP_NANOS = 100_000_000L;
    private static final long SWEEP_NANOS = 1_000_000_000L;

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());
    private volatile SourceLimits limits;

    /** One source: an address masked to the configured prefix length, as two longs. */
    record Key(long high, long low, boolean v6) {
    }

    /** What {@link #admit} decided: refused for a reason, or admitted with a ticket to give back. */
    sealed interface Decision {
    }

    /** Over a limit. */
    record Refused(EndReason reason) implements Decision {
    }

    /** Within the limits; {@link #release} the ticket when the connection ends (null key: untracked). */
    record Admitted(SourceTable table, Key key) implements Decision {
        void release() {
            if (key != null) {
                table.release(key);
            }
        }
    }

    private static final class Entry {
        int open;
        long tat;
    }

    SourceTable(SourceLimits limits) {
        this.limits = limits;
    }

    void limits(SourceLimits l) {
        this.limits = l;
    }

    SourceLimits limits() {
        return limits;
    }

    /** Sources tracked now. */
    int size() {
        return entries.size();
    }

    /**
     * Counts a new connection from {@code client} against its source, or refuses it.
     *
     * @param untracked called when the table is full and the source is admitted untracked
     */
    Decision admit(InetAddress client, long now, Runnable untracked) {
        SourceLimits l = limits;
        Key key = key(client, l);
        int size = entries.size();
        if (size >= l.maxSources() / 2 && !entries.containsKey(key)) {
            sweep(now, size >= l.maxSources() ? FULL_SWEEP_NANOS : SWEEP_NANOS);
            if (entries.size() >= l.maxSources() && !entries.containsKey(key)) {
                untracked.run();
                return new Admitted(this, null);
            }
        }
        long interval = l.rate() > 0 ? (long) (1e9 / l.rate()) : 0;
        long tolerance = interval * (l.burst() - 1L);
        EndReason[] refused = new EndReason[1];
        entries.compute(key, (k, e) -> {
            if (e == null) {
                e = new Entry();
                e.tat = now;
            }
            if (l.connections() > 0 && e.open >= l.connections()) {
                refused[0] = EndReason.SOURCE_CONNECTIONS;
            } else if (interval > 0 && Math.max(e.tat, now) - now > tolerance) {
                refused[0] = EndReason.SOURCE_RATE;
            } else {
                if (interval > 0) {
                    e.tat = Math.max(e.tat, now) + interval;
                }
                e.open++;
            }
            return idle(e, now) ? null : e;
        });
        return refused[0] != null ? new Refused(refused[0]) : new Admitted(this, key);
    }

    private void release(Key key) {
        long now = System.nanoTime();
        entries.computeIfPresent(key, (k, e) -> {
            e.open = Math.max(0, e.open - 1);
            return idle(e, now) ? null : e;
        });
    }

    /** Drops idle entries, unless a sweep ran less than {@code minGap} ago. */
    void sweep(long now, long minGap) {
        long last = lastSweep.get();
        if (now - last < minGap || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (Key k : entries.keySet()) {
            entries.computeIfPresent(k, (x, e) -> idle(e, now) ? null : e);
        }
    }

    private static boolean idle(Entry e, long now) {
        return e.open == 0 && e.tat - now <= 0;
    }

    /** The source of {@code a}: the address masked to the prefix length for its family. */
    static Key key(InetAddress a, SourceLimits l) {
        byte[] b = a.getAddress();
        boolean v6 = b.length == 16;
        int prefix = v6 ? l.ipv6Prefix() : l.ipv4Prefix();
        long high = 0;
        long low = 0;
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            long octet = b[i] & (0xff << (8 - keep)) & 0xff;
            if (v6 && i < 8) {
                high = (high << 8) | octet;
            } else {
                low = (low << 8) | octet;
            }
        }
        return new Key(high, low, v6);
    }
}
