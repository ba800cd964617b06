package org.dicomlb.engine.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.pool.Backend;
import org.dicomlb.engine.pool.Pool;

/**
 * Meters of http listeners (docs/metrics.md): requests and their latency by listener, pool,
 * backend and status class, and the answers dicomlb gave itself by reason. Tags are bounded: the
 * status is a class ({@code 2xx}), never a code, path or host.
 *
 * <p>Handles live in the engine's meter scopes ({@link EngineMetrics#shared}), so a reload that
 * removes a listener, pool or backend removes the meters tagged with it.
 */
final class HttpMetrics {
    /** Absent pool or backend (answered before either was chosen), or no status (the request was abandoned). */
    static final String NONE = "none";
    private static final String[] CLASSES = {NONE, "1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final String[] REQUEST_KEYS = new String[CLASSES.length];
    private static final String[] DURATION_KEYS = new String[CLASSES.length];
    /** From a cached image (a millisecond) to a multi-GB upload (minutes). */
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5)};

    static {
        for (int i = 0; i < CLASSES.length; i++) {
            REQUEST_KEYS[i] = "http.requests " + CLASSES[i];
            DURATION_KEYS[i] = "http.request.duration " + CLASSES[i];
        }
    }

    private final EngineMetrics metrics;

    HttpMetrics(EngineMetrics metrics) {
        this.metrics = metrics;
    }

    EngineMetrics engine() {
        return metrics;
    }

    /**
     * One request ended.
     *
     * @param poolName the pool it was routed to (null when answered before routing)
     * @param pool     that pool when it exists; {@code backend} the backend that answered, else null
     * @param status   the status the client got, 0 for none
     * @param nanos    from its first byte to its last response byte
     */
    void request(EngineMetrics.ListenerMeters listener, String poolName, Pool pool, Backend backend, int status, long nanos) {
        int c = status >= 100 && status < 600 ? status / 100 : 0;
        String p = poolName == null ? NONE : poolName;
        String b = backend == null ? NONE : backend.name();
        String cls = CLASSES[c];
        EngineMetrics.PoolMeters pm = pool == null ? null : metrics.pool(pool);
        EngineMetrics.BackendMeters bm = backend == null ? null : metrics.backend(backend);
        // Meters without a pool scope are told apart by the pool name they are tagged with.
        String requestKey = pm == null ? REQUEST_KEYS[c] + " " + p : REQUEST_KEYS[c];
        String durationKey = pm == null ? DURATION_KEYS[c] + " " + p : DURATION_KEYS[c];
        Counter requests = metrics.findShared(listener, pm, bm, requestKey);
        if (requests == null) {
            requests = metrics.shared(listener, pm, bm, requestKey, r -> Counter.builder("dicomlb.http.requests")
                    .tags("listener", listener.name(), "pool", p, "backend", b, "status", cls)
                    .description("HTTP requests by the class of the status the client got (none: abandoned without one)")
                    .register(r));
        }
        requests.increment();
        Timer duration = metrics.findShared(listener, pm, bm, durationKey);
        if (duration == null) {
            duration = metrics.shared(listener, pm, bm, durationKey, r -> Timer.builder("dicomlb.http.request.duration")
                    .tags("listener", listener.name(), "pool", p, "backend", b, "status", cls)
                    .serviceLevelObjectives(BUCKETS)
                    .description("HTTP requests from their first byte to the last byte of their response")
                    .register(r));
        }
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** dicomlb answered a request itself, for {@code reason} (no_backend, response_timeout ...). */
    void local(EngineMetrics.ListenerMeters listener, String reason) {
        count(listener, "dicomlb.http.local.responses", "reason", reason,
                "HTTP requests dicomlb answered itself (an error status), by reason");
    }

    /** dicomlb ended an HTTP/2 connection with a GOAWAY carrying {@code error} (enhance_your_calm ...). */
    void connectionError(EngineMetrics.ListenerMeters listener, String error) {
        count(listener, "dicomlb.http2.connection.errors", "error", error,
                "HTTP/2 connections dicomlb ended with a GOAWAY carrying an error code, by code");
    }

    /** Increments the listener's counter {@code name} tagged {@code tag=value}; the tag's values are bounded. */
    private static void count(EngineMetrics.ListenerMeters listener, String name, String tag, String value, String description) {
        listener.own(name + " " + value, r -> Counter.builder(name).tags("listener", listener.name(), tag, value)
                .description(description).register(r)).increment();
    }
}
