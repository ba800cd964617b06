package org.dicomlb.gslb.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.xbill.DNS.Type;

/**
 * The responder's meters. Tags are bounded: the query type is one of a fixed few (anything else
 * is {@code other}), the result one of {@link Result}, the transport udp or tcp; never a client
 * address or a query name. Counters are created on first use and kept in an array, so a query
 * costs one array read and one increment.
 */
public final class DnsMetrics {
    public static final String QUERIES = "dicomlb.gslb.queries";
    public static final String RATE_LIMITED = "dicomlb.gslb.rate.limited";

    /** The outcome of one query: a response code, or dropped without an answer. */
    public enum Result { NOERROR, NXDOMAIN, SERVFAIL, REFUSED, NOTIMP, FORMERR, BADVERS, DROPPED }

    /** The query types counted on their own; everything else is {@code other}. */
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.SOA, Type.NS, Type.ANY};
    private static final int OTHER = TYPES.length;
    /** A query whose type could not be read (too short, malformed). */
    private static final int NONE = TYPES.length + 1;
    private static final int TYPE_SLOTS = TYPES.length + 2;

    private final MeterRegistry registry;
    private final AtomicReferenceArray<Counter> queries;
    private final Counter dropped;
    private final Counter slipped;

    public DnsMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.queries = new AtomicReferenceArray<>(TYPE_SLOTS * Result.values().length * 2);
        this.dropped = Counter.builder(RATE_LIMITED).tag("action", "dropped").baseUnit("responses")
                .description("UDP responses withheld by response-rate limiting").register(registry);
        this.slipped = Counter.builder(RATE_LIMITED).tag("action", "slipped").baseUnit("responses")
                .description("UDP responses sent empty with TC by response-rate limiting").register(registry);
    }

    /** Counts one query of type {@code qtype} (negative when unknown) that ended in {@code result}. */
    public void query(int qtype, Result result, boolean tcp) {
        int t = slot(qtype);
        int i = (t * Result.values().length + result.ordinal()) * 2 + (tcp ? 1 : 0);
        Counter c = queries.get(i);
        if (c == null) {
            c = Counter.builder(QUERIES)
                    .tag("type", typeTag(t))
                    .tag("rcode", result.name().toLowerCase(Locale.ROOT))
                    .tag("transport", tcp ? "tcp" : "udp")
                    .baseUnit("queries")
                    .description("DNS queries received by the GSLB, by type and response code")
                    .register(registry);
            queries.set(i, c);
        }
        c.increment();
    }

    void rateLimited(boolean slip) {
        (slip ? slipped : dropped).increment();
    }

    private static int slot(int qtype) {
        if (qtype < 0) {
            return NONE;
        }
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i] == qtype) {
                return i;
            }
        }
        return OTHER;
    }

    private static String typeTag(int slot) {
        if (slot == OTHER) {
            return "other";
        }
        if (slot == NONE) {
            return "none";
        }
        return Type.string(TYPES[slot]);
    }
}
