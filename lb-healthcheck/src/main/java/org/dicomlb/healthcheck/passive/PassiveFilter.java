package org.dicomlb.healthcheck.passive;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.dicomlb.healthcheck.config.PassiveConfig;

/**
 * Decides when failures seen on real traffic count as a failed check for one endpoint.
 *
 * <p>A rejected association is often the client's fault (an unknown calling AE, a modality that
 * proposes nothing the archive accepts), so a failure counts only when
 * <ol>
 *   <li>failures from at least {@code min-clients} distinct client addresses have been reported
 *       since the last counted failure or the last passive success, each within {@code window}
 *       of now; and</li>
 *   <li>the previous counted failure is at least {@code fast-interval} old.</li>
 * </ol>
 * Counting starts the tally over, so every counted failure needs {@code min-clients} fresh
 * clients; a passive success (someone was served) also starts it over. One client, however often
 * it fails, never counts. Clients behind one NAT address are one client.
 *
 * <p>Not thread-safe: used only on the checker's control thread. Memory is bounded by
 * {@link #MAX_TRACKED_CLIENTS} per endpoint.
 */
public final class PassiveFilter {
    /** More distinct clients than any sane min-clients; the oldest are forgotten beyond this. */
    public static final int MAX_TRACKED_CLIENTS = 1024;
    private static final long NEVER = Long.MIN_VALUE;

    private final int minClients;
    private final long windowNanos;
    private final long minGapNanos;
    /** Client address to the time of its latest failure, oldest first. */
    private final LinkedHashMap<InetAddress, Long> failing = new LinkedHashMap<>();
    private long lastCounted = NEVER;

    /** {@code minGapNanos} is the fast-interval: counted failures are at least this far apart. */
    public PassiveFilter(PassiveConfig config, long minGapNanos) {
        Objects.requireNonNull(config, "config");
        this.minClients = config.minClients();
        this.windowNanos = config.window().toNanos();
        this.minGapNanos = minGapNanos;
    }

    /** Records a failure reported for {@code client} at {@code nowNanos}; true when it counts. */
    public boolean failure(InetAddress client, long nowNanos) {
        failing.remove(client);
        failing.put(client, nowNanos);
        prune(nowNanos);
        if (failing.size() < minClients) {
            return false;
        }
        if (lastCounted != NEVER && nowNanos - lastCounted < minGapNanos) {
            return false;
        }
        lastCounted = nowNanos;
        failing.clear();
        return true;
    }

    /** A client was served: earlier failures were not the backend's fault as far as we can tell. */
    public void success() {
        failing.clear();
    }

    /** Forgets the tally, e.g. when the endpoint changes state. */
    public void reset() {
        failing.clear();
    }

    /** True while failures are being tallied; successes matter only then. */
    public boolean tallying() {
        return !failing.isEmpty();
    }

    /** Distinct clients in the current tally. */
    public int clients() {
        return failing.size();
    }

    private void prune(long nowNanos) {
        Iterator<Map.Entry<InetAddress, Long>> it = failing.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<InetAddress, Long> e = it.next();
            if (nowNanos - e.getValue() > windowNanos || failing.size() > MAX_TRACKED_CLIENTS) {
                it.remove();
            } else {
                break;
            }
        }
    }
}
