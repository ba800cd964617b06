package org.dicomlb.dnsproxy.internal;

import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.dnsproxy.Resolution;
import org.dicomlb.dnsproxy.ResolutionState;
import org.dicomlb.dnsproxy.RoundResult;
import org.dicomlb.dnsproxy.config.AddressMode;
import org.dicomlb.dnsproxy.config.DnsBackendConfig;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watched name: its rounds, its state and its schedule. Lives on the control loop; no method
 * may be called from another thread.
 *
 * <p>A round asks the resolvers in order and ends at the first that answers (addresses, NXDOMAIN
 * or NODATA); a resolver that times out, answers SERVFAIL or REFUSED, or fails otherwise is
 * passed over. Rounds of one name never overlap: the next starts one interval (stretched or
 * shrunk at random by up to {@link #JITTER}) after this one started, or at once when the round
 * took longer than that.
 */
final class Watch {
    private static final Logger LOG = LoggerFactory.getLogger(Watch.class);
    /** Each pause is varied by up to this fraction, so names added together drift apart. */
    static final double JITTER = 0.1;
    /** The first round of a new name starts at a random point within this (or the interval, if shorter). */
    static final Duration FIRST_ROUND_SPREAD = Duration.ofSeconds(1);

    private static final Comparator<InetAddress> NUMERIC = Comparator
            .<InetAddress>comparingInt(a -> a instanceof Inet4Address ? 0 : 1)
            .thenComparing(InetAddress::getAddress, Arrays::compareUnsigned);

    final String id;
    private final Core core;
    private final DnsMeters meters;
    private DnsBackendConfig config;
    private Name qname;

    /** The addresses of the last answer, in the resolver's order; empty when none is in use. */
    private List<InetAddress> answer = List.of();
    private Optional<InetSocketAddress> answeredBy = Optional.empty();
    private Optional<Instant> answeredAt = Optional.empty();
    private Optional<Instant> lastRoundAt = Optional.empty();
    private RoundResult result = RoundResult.PENDING;
    private int failures;
    private Optional<String> reason = Optional.of("not resolved yet");

    private volatile Resolution current;
    private Resolution published;
    private List<InetSocketAddress> lastNonEmpty = List.of();

    private ScheduledFuture<?> next;
    private Round round;
    private long roundStartNanos;
    boolean queued;
    private boolean stopped;

    Watch(Core core, String id, DnsBackendConfig config) {
        this.core = core;
        this.id = id;
        this.config = config;
        this.qname = absolute(config.name());
        this.current = Resolution.pending(id, config.name());
        this.meters = new DnsMeters(core.registry(), id, () -> current);
    }

    DnsBackendConfig config() {
        return config;
    }

    Resolution current() {
        return current;
    }

    /** Publishes the pending resolution and schedules the first round at a random point soon. */
    void start() {
        publishIfChanged();
        Duration spread = config.resolveInterval().compareTo(FIRST_ROUND_SPREAD) < 0 ? config.resolveInterval()
                : FIRST_ROUND_SPREAD;
        schedule(ThreadLocalRandom.current().nextLong(Math.max(1, spread.toNanos())));
    }

    void stop() {
        stopped = true;
        cancelRound();
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        meters.remove();
    }

    /**
     * Takes a new config and keeps the state: the addresses in use stay until the next answer
     * (a reload never takes a backend down by itself). A new name, family or resolver list is
     * resolved at once and its failures counted afresh; a new port or address mode applies to the
     * last answer now; new timing reschedules within the new interval.
     */
    void reconfigure(DnsBackendConfig newConfig) {
        DnsBackendConfig old = config;
        config = newConfig;
        boolean question = !old.name().equals(newConfig.name()) || old.family() != newConfig.family()
                || !old.resolvers().equals(newConfig.resolvers());
        if (!old.name().equals(newConfig.name())) {
            qname = absolute(newConfig.name());
        }
        if (old.port() != newConfig.port() || old.addresses() != newConfig.addresses() || question) {
            update();
        }
        if (question) {
            failures = 0;
            cancelRound();
            schedule(0);
        } else if (!old.resolveInterval().equals(newConfig.resolveInterval()) && round == null && !queued) {
            schedule(ThreadLocalRandom.current().nextLong(Math.max(1, newConfig.resolveInterval().toNanos())));
        }
    }

    private void schedule(long delayNanos) {
        if (next != null) {
            next.cancel(false);
        }
        next = core.loop().schedule(() -> {
            next = null;
            core.requestRound(this);
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Called by the core when this name may run a round (within the limit of concurrent rounds). */
    void begin() {
        if (stopped) {
            core.roundEnded();
            return;
        }
        roundStartNanos = System.nanoTime();
        round = new Round();
        round.askNext();
    }

    private void cancelRound() {
        if (round != null) {
            round.cancel();
            round = null;
            core.roundEnded();
        }
        if (queued) {
            core.dequeue(this);
        }
    }

    private void answered(Round r, InetSocketAddress resolver, QueryResult q) {
        endRound(r);
        failures = 0;
        answeredBy = Optional.of(resolver);
        answeredAt = Optional.of(core.now());
        lastRoundAt = answeredAt;
        result = switch (q.kind()) {
            case ANSWER -> RoundResult.ANSWER;
            case NXDOMAIN -> RoundResult.NXDOMAIN;
            default -> RoundResult.NODATA;
        };
        answer = q.addresses();
        reason = result == RoundResult.ANSWER ? Optional.empty()
                : Optional.of("resolver " + SocketAddresses.format(resolver) + " " + q.describe());
        meters.resolution(result);
        update();
        scheduleNext();
    }

    private void failed(Round r, List<String> why) {
        endRound(r);
        failures++;
        lastRoundAt = Optional.of(core.now());
        result = RoundResult.FAILED;
        String text = "no resolver answered: " + String.join("; ", why);
        if (!answer.isEmpty() && failures >= config.resolveFall()) {
            answer = List.of();
            reason = Optional.of(text + " (" + failures + (failures == 1 ? " round" : " rounds")
                    + " in a row, resolve-fall " + config.resolveFall() + ")");
        } else if (!answer.isEmpty()) {
            reason = Optional.of("keeping the last answer (" + failures + " of " + config.resolveFall()
                    + " failed rounds): " + text);
        } else {
            reason = Optional.of(text);
        }
        meters.resolution(result);
        update();
        scheduleNext();
    }

    private void endRound(Round r) {
        if (round == r) {
            round = null;
            core.roundEnded();
        }
    }

    private void scheduleNext() {
        double jitter = 1 + ThreadLocalRandom.current().nextDouble(-JITTER, JITTER);
        long due = roundStartNanos + (long) (config.resolveInterval().toNanos() * jitter);
        schedule(Math.max(0, due - System.nanoTime()));
    }

    /** Rebuilds the resolution from the state; publishes it when the addresses or the state changed. */
    private void update() {
        List<InetSocketAddress> endpoints = endpoints(answer, config.addresses(), config.port());
        current = new Resolution(id, config.name(), endpoints.isEmpty() ? ResolutionState.DOWN : ResolutionState.UP,
                endpoints, result, answeredBy, answeredAt, lastRoundAt, failures, reason);
        core.updated(this);
        publishIfChanged();
    }

    private void publishIfChanged() {
        Resolution r = current;
        if (!r.changedFrom(published)) {
            return;
        }
        if (!r.addresses().isEmpty() && !lastNonEmpty.isEmpty() && !r.addresses().equals(lastNonEmpty)) {
            meters.addressChange();
        }
        if (r.up()) {
            LOG.info("dns backend {} ({}) now {} (answer from {})", id, r.name(), format(r.addresses()),
                    r.resolver().map(SocketAddresses::format).orElse("?"));
            lastNonEmpty = r.addresses();
        } else if (r.result() != RoundResult.PENDING) {
            LOG.warn("dns backend {} ({}) is down: {}", id, r.name(), r.reason().orElse(""));
        }
        published = r;
        core.publish(r);
    }

    /** {@code first}: the first address as the resolver ordered them; {@code all}: every address in numeric order. */
    static List<InetSocketAddress> endpoints(List<InetAddress> answer, AddressMode mode, int port) {
        if (answer.isEmpty()) {
            return List.of();
        }
        if (mode == AddressMode.FIRST) {
            return List.of(new InetSocketAddress(answer.getFirst(), port));
        }
        return answer.stream().distinct().sorted(NUMERIC).map(a -> new InetSocketAddress(a, port)).toList();
    }

    static String format(List<InetSocketAddress> addresses) {
        return addresses.stream().map(SocketAddresses::format).toList().toString();
    }

    private static Name absolute(String name) {
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            // The config record validated the name; dnsjava refusing it is a bug, not a user error.
            throw new IllegalArgumentException("'" + name + "' is not a DNS name: " + e.getMessage(), e);
        }
    }

    private List<Integer> types() {
        return switch (config.family()) {
            case IPV4 -> List.of(Type.A);
            case IPV6 -> List.of(Type.AAAA);
            case ANY -> List.of(Type.A, Type.AAAA);
        };
    }

    /** One pass over the resolvers, in order, until one answers. */
    private final class Round {
        private final List<String> failures = new ArrayList<>();
        private final List<DnsQuery> queries = new ArrayList<>();
        private int index;
        private boolean cancelled;

        void askNext() {
            queries.clear();
            if (index >= config.resolvers().size()) {
                failed(this, failures);
                return;
            }
            InetSocketAddress resolver = config.resolvers().get(index++);
            List<Integer> types = types();
            QueryResult[] results = new QueryResult[types.size()];
            for (int i = 0; i < types.size(); i++) {
                int slot = i;
                queries.add(DnsQuery.start(core.loop(), core.transport(), resolver, Answers.query(qname, types.get(i)),
                        config.resolveTimeout(), meters::query, q -> {
                            if (cancelled) {
                                return;
                            }
                            results[slot] = q;
                            settle(resolver, types, results);
                        }));
            }
        }

        /** Acts once every question to this resolver is settled, or at its first failure. */
        private void settle(InetSocketAddress resolver, List<Integer> types, QueryResult[] results) {
            for (int i = 0; i < results.length; i++) {
                QueryResult q = results[i];
                if (q != null && !q.kind().answered()) {
                    queries.forEach(DnsQuery::cancel);
                    failures.add(SocketAddresses.format(resolver) + (results.length > 1 ? " (" + Type.string(types.get(i)) + ")" : "")
                            + " " + q.describe());
                    askNext();
                    return;
                }
            }
            if (Arrays.stream(results).anyMatch(Objects::isNull)) {
                return;
            }
            answered(this, resolver, combine(results));
        }

        void cancel() {
            cancelled = true;
            queries.forEach(DnsQuery::cancel);
        }
    }

    /** A and AAAA answers of one resolver as one: addresses of both, A first; NXDOMAIN if either says so. */
    static QueryResult combine(QueryResult[] results) {
        if (results.length == 1) {
            return results[0];
        }
        List<InetAddress> all = new ArrayList<>();
        boolean nx = false;
        for (QueryResult q : results) {
            for (InetAddress a : q.addresses()) {
                if (all.size() < Answers.MAX_ADDRESSES) {
                    all.add(a);
                }
            }
            nx |= q.kind() == QueryResult.Kind.NXDOMAIN;
        }
        if (!all.isEmpty()) {
            return QueryResult.answer(all);
        }
        return QueryResult.of(nx ? QueryResult.Kind.NXDOMAIN : QueryResult.Kind.NODATA, "");
    }

    @Override
    public String toString() {
        return "dns backend " + id + " (" + config.name() + ", " + config.family().name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
