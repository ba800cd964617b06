package org.dicomlb.dnsproxy.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.dicomlb.dnsproxy.Resolution;
import org.dicomlb.dnsproxy.RoundResult;

/**
 * The meters of one {@code dns} backend. Tags are bounded: {@code pool} and {@code backend} from
 * the configured id ({@code pool/backend}, split at the last slash), {@code result} and
 * {@code protocol} from fixed sets. Counters are registered on first use; every meter is removed
 * by reference when the backend goes away.
 */
public final class DnsMeters {
    public static final String RESOLUTIONS = "dicomlb.dns.resolutions";
    public static final String QUERIES = "dicomlb.dns.queries";
    public static final String ADDRESS_CHANGES = "dicomlb.dns.address.changes";
    public static final String ADDRESSES = "dicomlb.dns.addresses";
    public static final String UP = "dicomlb.dns.up";

    private final MeterRegistry registry;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Counter> counters = new HashMap<>();
    private final Counter addressChanges;

    /** Registers the gauges; {@code current} is read on scrape (any thread). Construct on the control loop. */
    public DnsMeters(MeterRegistry registry, String id, Supplier<Resolution> current) {
        this.registry = registry;
        this.tags = tags(id);
        add(Gauge.builder(UP, current, c -> c.get().up() ? 1 : 0).tags(tags).strongReference(true)
                .description("1 while the dns backend has at least one address, 0 while it is down").register(registry));
        add(Gauge.builder(ADDRESSES, current, c -> c.get().addresses().size()).tags(tags).strongReference(true)
                .description("addresses of the dns backend in use").register(registry));
        addressChanges = add(Counter.builder(ADDRESS_CHANGES).tags(tags)
                .description("times the addresses in use changed to a different non-empty list").register(registry));
    }

    /** {@code pool/backend} splits at the last slash; an id without one is all backend. */
    public static Tags tags(String id) {
        int slash = id.lastIndexOf('/');
        return Tags.of("pool", slash < 0 ? "" : id.substring(0, slash), "backend", slash < 0 ? id : id.substring(slash + 1));
    }

    public void resolution(RoundResult result) {
        counter(RESOLUTIONS, "rounds by how they ended", Tags.of("result", result.tag())).increment();
    }

    /** One attempt to one resolver: {@code protocol} udp or tcp, {@code result} a {@link QueryResult.Kind} tag or truncated. */
    public void query(String protocol, String result) {
        counter(QUERIES, "questions to resolvers by protocol and result", Tags.of("protocol", protocol, "result", result))
                .increment();
    }

    public void addressChange() {
        addressChanges.increment();
    }

    public void remove() {
        meters.forEach(registry::remove);
        meters.clear();
        counters.clear();
    }

    private Counter counter(String name, String description, Tags extra) {
        return counters.computeIfAbsent(name + extra, k -> add(Counter.builder(name).tags(tags).tags(extra)
                .description(description).register(registry)));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }
}
