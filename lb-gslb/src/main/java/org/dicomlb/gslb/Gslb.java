package org.dicomlb.gslb;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomlb.config.Durations;
import org.dicomlb.config.Section;
import org.dicomlb.gslb.config.DnsNames;
import org.dicomlb.gslb.config.Failback;
import org.dicomlb.gslb.config.GslbConfig;
import org.dicomlb.gslb.config.MemberConfig;
import org.dicomlb.gslb.config.MemberHealth;
import org.dicomlb.gslb.config.Method;
import org.dicomlb.gslb.config.NameConfig;
import org.dicomlb.gslb.config.Nameserver;
import org.dicomlb.gslb.config.ZoneConfig;
import org.dicomlb.gslb.dns.DnsMetrics;
import org.dicomlb.gslb.dns.DnsServer;
import org.dicomlb.gslb.dns.Responder;
import org.dicomlb.gslb.dns.ZoneView;
import org.dicomlb.gslb.internal.MemberTracker;
import org.dicomlb.gslb.select.Candidate;
import org.dicomlb.gslb.select.Choice;
import org.dicomlb.gslb.select.Selector;
import org.dicomlb.gslb.select.SubnetMap;
import org.dicomlb.healthcheck.CheckTarget;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.HealthState;
import org.dicomlb.healthcheck.HealthStatus;
import org.dicomlb.io.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * The GSLB: an authoritative DNS responder whose answers follow its members' health.
 *
 * <p>Threads: DNS is answered on the event loops the appliance hands in, from an immutable
 * {@link ZoneView} read without locks. Everything else (applying a configuration, health events,
 * the failback policy, explicit failbacks, status) runs on one control thread of its own, which
 * rebuilds the view and publishes it atomically; while a configuration is applied, the control
 * thread also re-evaluates every {@value #REEVALUATE_MILLIS} ms, for pools' eligibility (which
 * has no events here) and {@code after} delays.
 *
 * <p>Health comes from the appliance's one {@link HealthChecker} (owner {@value #HEALTH_OWNER},
 * target ids {@code gslb:NAME/MEMBER} and {@code gslb-gate:NAME/MEMBER}) or from {@link LocalPools}.
 */
public final class Gslb implements AutoCloseable {
    public static final String HEALTH_OWNER = "gslb";
    static final long REEVALUATE_MILLIS = 500;
    private static final long APPLY_WAIT_SECONDS = 30;
    private static final Logger log = LoggerFactory.getLogger(Gslb.class);

    private final HealthChecker checker;
    private final LocalPools pools;
    private final EventLoopGroup group;
    private final Transport transport;
    private final MeterRegistry registry;
    private final DnsMetrics dnsMetrics;
    private final Responder responder;
    private final AtomicReference<ZoneView> view = new AtomicReference<>(ZoneView.empty());
    private final ScheduledExecutorService control;
    private final AutoCloseable subscription;
    private volatile GslbStatus status = GslbStatus.NONE;
    private volatile boolean closed;

    /**
     * Written on the control thread only; volatile for the health subscription, which does not
     * wake that thread while nothing is configured.
     */
    private volatile GslbConfig config;

    // Control thread only.
    /**
     * The periodic re-evaluation, while a configuration is applied (control thread only). Without
     * one it would wake the thread twice a second for nothing, which on a virtual machine costs
     * several milliseconds of CPU a wake-up (docs/benchmarks.md, "idle CPU").
     */
    private ScheduledFuture<?> reevaluation;
    /** Written on the control thread; volatile for the gauge and {@link #address()}. */
    private volatile DnsServer server;
    private ZoneView fixed = ZoneView.empty();
    private final Map<String, MemberTracker> trackers = new HashMap<>();
    private final Map<String, String> lastState = new HashMap<>();
    private final Map<String, Counter> answerCounters = new HashMap<>();
    private final Map<String, Counter> failbackCounters = new HashMap<>();
    /** Per member: 1 while it is healthy but held by its failback policy (an operator or a delay must release it). */
    private final Map<String, PendingGauge> pendingGauges = new HashMap<>();
    private final Map<String, ZoneSerial> serials = new HashMap<>();

    private record ZoneSerial(ZoneConfig zone, long serial) {
    }

    /** The gauge keeps only a weak reference to its state: the map holds the value strongly. */
    private record PendingGauge(java.util.concurrent.atomic.AtomicInteger value, Gauge gauge) {
    }

    /**
     * @param group     the appliance's event loops, which answer DNS; with their {@code transport}
     * @param registry  where the {@code dicomlb.gslb.*} meters go
     */
    public Gslb(HealthChecker checker, LocalPools pools, EventLoopGroup group, Transport transport, MeterRegistry registry) {
        this.checker = Objects.requireNonNull(checker, "checker");
        this.pools = Objects.requireNonNull(pools, "pools");
        this.group = Objects.requireNonNull(group, "group");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.dnsMetrics = new DnsMetrics(registry);
        this.responder = new Responder(view::get, dnsMetrics);
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dicomlb-gslb-control");
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("dicomlb.gslb.tcp.connections", this, Gslb::tcpConnections)
                .description("open TCP connections to the GSLB").baseUnit("connections").register(registry);
        // Every owner's events: a member with 'pool:' follows the engine's pools' health too.
        // Without a configuration an evaluation does nothing, and a commit evaluates with the
        // states of its moment, so the events before one are skipped: an appliance without a
        // gslb: section never starts the control thread for its pools' health.
        this.subscription = checker.subscribe(e -> {
            if (config != null) {
                runOnControl(this::evaluate);
            }
        });
    }

    /**
     * Makes {@code next} the running configuration: {@link #prepare} then {@link #commit}. All or
     * nothing: when the listen address cannot be bound or the checker refuses the targets, the
     * running configuration stays and the future fails with the reason.
     */
    public CompletableFuture<Void> apply(GslbConfig next) {
        return prepare(next).thenCompose(this::commit);
    }

    /**
     * The part of applying {@code next} that can fail: binds the listen address when it is not the
     * one served now (the running sockets keep answering meanwhile). Nothing else changes until
     * {@link #commit}; {@link #discard} gives the sockets back. The composition root prepares
     * every module of a reload before it commits any, so a reload that fails changes nothing.
     */
    public CompletableFuture<Prepared> prepare(GslbConfig next) {
        Objects.requireNonNull(next, "config");
        return onControl(() -> {
            if (closed) {
                throw new IllegalStateException("the GSLB is closed");
            }
            DnsServer bound = null;
            if (server == null || !config.listen().equals(next.listen())) {
                bound = DnsServer.bind(next.listen(), group, transport, responder, () -> view.get().limits(), dnsMetrics);
            }
            return new Prepared(next, bound);
        });
    }

    /** Serves a prepared configuration: new sockets (closing the old ones), checks, zones and names. */
    public CompletableFuture<Void> commit(Prepared p) {
        return onControl(() -> {
            commitNow(p);
            return null;
        });
    }

    /** Gives back what {@link #prepare} bound; the running configuration stays. */
    public void discard(Prepared p) {
        if (p.bound != null) {
            p.bound.close();
        }
    }

    /**
     * Stops serving DNS (a reload whose file has no {@code gslb:} section): closes the sockets and
     * drops the members' checks. A later {@link #apply} starts again.
     */
    public CompletableFuture<Void> clear() {
        return onControl(() -> {
            if (server != null) {
                server.close();
                log.info("GSLB stopped answering DNS on {}", server.address());
                server = null;
            }
            checker.update(HEALTH_OWNER, List.of()).get(APPLY_WAIT_SECONDS, TimeUnit.SECONDS);
            config = null;
            if (reevaluation != null) {
                reevaluation.cancel(false);
                reevaluation = null;
            }
            fixed = ZoneView.empty();
            view.set(fixed);
            trackers.clear();
            lastState.clear();
            dropMeters(answerCounters, Set.of());
            dropMeters(failbackCounters, Set.of());
            dropPendingGauges(Set.of());
            status = GslbStatus.NONE;
            return null;
        });
    }

    /** A configuration ready to be committed, holding the sockets bound for it (if its address is new). */
    public static final class Prepared {
        private final GslbConfig config;
        private final DnsServer bound;

        private Prepared(GslbConfig config, DnsServer bound) {
            this.config = config;
            this.bound = bound;
        }

        public GslbConfig config() {
            return config;
        }
    }

    /** True while a configuration is applied. */
    public boolean running() {
        return server != null;
    }

    /** Whether the periodic re-evaluation is scheduled (tests). */
    boolean reevaluating() throws Exception {
        return onControl(() -> reevaluation != null).get(APPLY_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @FunctionalInterface
    private interface ControlTask<T> {
        T run() throws Exception;
    }

    private <T> CompletableFuture<T> onControl(ControlTask<T> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        try {
            control.execute(() -> {
                try {
                    done.complete(task.run());
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the GSLB is closed"));
        }
        return done;
    }

    /**
     * Releases the members of {@code name} held by its failback policy: they are answered again
     * from now on, if healthy and their gate passes. Fails with {@link IllegalArgumentException}
     * for a name that is not configured.
     */
    public CompletableFuture<FailbackResult> failback(String name) {
        CompletableFuture<FailbackResult> done = new CompletableFuture<>();
        try {
            control.execute(() -> {
                try {
                    done.complete(failbackNow(name));
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the GSLB is closed"));
        }
        return done;
    }

    /** The state now: per name, the member answered and why, and every member's health. */
    public GslbStatus status() {
        return status;
    }

    /** Where DNS is answered (the bound address, with the real port), when something is bound. */
    public Optional<InetSocketAddress> address() {
        DnsServer s = server;
        return s == null ? Optional.empty() : Optional.of(s.address());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            subscription.close();
        } catch (Exception e) {
            log.debug("closing the health subscription: {}", e.toString());
        }
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        control.execute(() -> {
            try {
                if (server != null) {
                    server.close();
                    server = null;
                }
                try {
                    checker.update(HEALTH_OWNER, List.of());
                } catch (IllegalStateException e) {
                    // The checker closed first: our targets went with it.
                }
            } finally {
                stopped.complete(null);
            }
        });
        try {
            stopped.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("GSLB did not stop cleanly: {}", e.toString());
        }
        control.shutdownNow();
        status = GslbStatus.NONE;
    }

    private double tcpConnections() {
        DnsServer s = server;
        return s == null ? 0 : s.tcpConnections();
    }

    // ---- control thread -------------------------------------------------------------------

    private void runOnControl(Runnable task) {
        if (closed) {
            return;
        }
        try {
            control.execute(() -> {
                try {
                    if (!closed) {
                        task.run();
                    }
                } catch (RuntimeException e) {
                    log.error("GSLB control task failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing.
        }
    }

    private void commitNow(Prepared p) throws Exception {
        GslbConfig next = p.config;
        DnsServer bound = p.bound;
        if (closed) {
            discard(p);
            throw new IllegalStateException("the GSLB is closed");
        }
        ZoneView nextFixed = fixedView(next);
        try {
            checker.update(HEALTH_OWNER, targets(next)).get(APPLY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            discard(p);
            if (config != null) {
                // Put our previous targets back, in case the checker took part of the change.
                checker.update(HEALTH_OWNER, targets(config));
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("GSLB health checks: " + cause.getMessage(), cause);
        }
        DnsServer old = server;
        if (bound != null) {
            server = bound;
        }
        config = next;
        if (reevaluation == null) {
            reevaluation = control.scheduleWithFixedDelay(() -> runOnControl(this::evaluate), REEVALUATE_MILLIS,
                    REEVALUATE_MILLIS, TimeUnit.MILLISECONDS);
        }
        fixed = nextFixed;
        Set<String> keys = new HashSet<>();
        for (NameConfig n : next.names()) {
            for (MemberConfig m : n.members()) {
                String key = key(n, m);
                keys.add(key);
                trackers.computeIfAbsent(key, k -> new MemberTracker()).policyChanged(n.failback());
            }
        }
        trackers.keySet().retainAll(keys);
        lastState.keySet().retainAll(keys);
        dropMeters(answerCounters, keys);
        dropMeters(failbackCounters, keys);
        dropPendingGauges(keys);
        for (NameConfig n : next.names()) {
            for (MemberConfig m : n.members()) {
                pendingGauges.computeIfAbsent(key(n, m), k -> {
                    var value = new java.util.concurrent.atomic.AtomicInteger();
                    Gauge g = Gauge.builder("dicomlb.gslb.failback.pending", value, java.util.concurrent.atomic.AtomicInteger::get)
                            .tag("name", n.name()).tag("member", m.name())
                            .description("1 while the member is healthy but held by its failback policy (not answered yet)")
                            .register(registry);
                    return new PendingGauge(value, g);
                });
            }
        }
        evaluate();
        if (old != null && old != server) {
            old.close();
            log.info("GSLB moved from {} to {}", old.address(), server.address());
        }
    }

    private void dropMeters(Map<String, Counter> meters, Set<String> keep) {
        meters.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            registry.remove((Meter) e.getValue());
            return true;
        });
    }

    private void dropPendingGauges(Set<String> keep) {
        pendingGauges.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().gauge());
            return true;
        });
    }

    private FailbackResult failbackNow(String name) {
        String canonical;
        try {
            canonical = DnsNames.canonical(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "' is not a GSLB name: " + e.getMessage());
        }
        NameConfig n = config == null ? null
                : config.names().stream().filter(c -> c.name().equals(canonical)).findFirst().orElse(null);
        if (n == null) {
            List<String> known = config == null ? List.of() : config.names().stream().map(NameConfig::name).toList();
            throw new IllegalArgumentException("no GSLB name '" + name + "'" + (known.isEmpty() ? "" : "; names: " + String.join(", ", known)));
        }
        Map<String, HealthState> states = checker.states();
        List<String> released = new ArrayList<>();
        Map<String, String> notReleased = new LinkedHashMap<>();
        for (MemberConfig m : n.members()) {
            MemberTracker t = trackers.get(key(n, m));
            if (t == null || !t.held()) {
                continue;
            }
            String why = t.release(health(n, m, states).healthy(), gatePassed(n, m, states), n.failback());
            if (why == null) {
                released.add(m.name());
                failbackCounter(n, m, "manual").increment();
                log.info("GSLB {}: failback to member {} by operator", n.name(), m.name());
            } else {
                notReleased.put(m.name(), why);
            }
        }
        evaluate();
        return new FailbackResult(n.name(), released, notReleased);
    }

    /** Re-reads every member's health, runs the failback policy, and publishes what changed. */
    private void evaluate() {
        if (config == null) {
            return;
        }
        Instant now = Instant.now();
        Map<String, HealthState> states = checker.states();
        Map<Name, ZoneView.GslbName> names = new HashMap<>();
        List<GslbStatus.NameStatus> statuses = new ArrayList<>();
        for (NameConfig n : config.names()) {
            List<Candidate> v4 = new ArrayList<>();
            List<Candidate> v6 = new ArrayList<>();
            List<GslbStatus.MemberStatus> members = new ArrayList<>();
            for (MemberConfig m : n.members()) {
                String key = key(n, m);
                MemberTracker t = trackers.computeIfAbsent(key, k -> new MemberTracker());
                Health h = health(n, m, states);
                boolean gate = gatePassed(n, m, states);
                switch (t.observe(h.healthy(), gate, n.failback(), now)) {
                    case HELD -> log.info("GSLB {}: member {} failed; it is held for failback ({}) when it recovers",
                            n.name(), m.name(), describe(n.failback()));
                    case RELEASED -> {
                        String how = Section.kebab(n.failback().mode());
                        failbackCounter(n, m, how).increment();
                        log.info("GSLB {}: failback to member {} ({})", n.name(), m.name(), describe(n.failback()));
                    }
                    case NONE -> {
                    }
                }
                Candidate.State state = !h.healthy() ? Candidate.State.DOWN
                        : t.held() ? Candidate.State.HELD : Candidate.State.ELIGIBLE;
                String stateText = state.name().toLowerCase(Locale.ROOT);
                PendingGauge pending = pendingGauges.get(key);
                if (pending != null) {
                    pending.value().set(state == Candidate.State.HELD ? 1 : 0);
                }
                String before = lastState.put(key, stateText);
                if (before != null && !before.equals(stateText)) {
                    log.info("GSLB {}: member {} is now {}{}", n.name(), m.name(), stateText,
                            h.reason().isEmpty() ? "" : " (" + h.reason() + ")");
                }
                Candidate c = new Candidate(m.name(), m.address(), m.datacenter(), m.weight(), state);
                (m.ipv4() ? v4 : v6).add(c);
                members.add(new GslbStatus.MemberStatus(m.name(), m.address().getHostAddress(), m.datacenter().orElse(null),
                        h.source(), h.health(), h.reason(), stateText, t.waitingFor(h.healthy(), gate, n.failback(), now)));
            }
            ZoneView.GslbName before = fixed.name(DnsNames.toName(n.name()));
            names.put(before.name(), new ZoneView.GslbName(before.name(), n, before.records(), before.answers(), v4, v6));
            statuses.add(new GslbStatus.NameStatus(n.name(), Section.kebab(n.method()), describe(n.failback()),
                    Section.kebab(n.fallback()), n.ttl().toSeconds(), answering(n, v4, v6), members));
        }
        ZoneView current = view.get();
        if (current.zones() != fixed.zones() || !sameMembers(current.names(), names)) {
            view.set(fixed.withMembers(names));
        }
        DnsServer s = server;
        status = new GslbStatus(s == null ? "" : s.address().getAddress().getHostAddress() + ":" + s.address().getPort(),
                statuses, s == null ? 0 : s.tcpConnections());
    }

    private static boolean sameMembers(Map<Name, ZoneView.GslbName> a, Map<Name, ZoneView.GslbName> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (var e : b.entrySet()) {
            ZoneView.GslbName x = a.get(e.getKey());
            ZoneView.GslbName y = e.getValue();
            if (x == null || x.config() != y.config() || !x.ipv4().equals(y.ipv4()) || !x.ipv6().equals(y.ipv6())
                    || x.records() != y.records() && !x.records().equals(y.records())) {
                return false;
            }
        }
        return true;
    }

    /** What each client group gets now, for the status: per datacenter for topology, else for everyone. */
    private List<GslbStatus.Answer> answering(NameConfig n, List<Candidate> v4, List<Candidate> v6) {
        List<GslbStatus.Answer> out = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(0);
        for (var family : List.of(Map.entry("A", v4), Map.entry("AAAA", v6))) {
            if (family.getValue().isEmpty()) {
                continue;
            }
            if (n.method() == Method.TOPOLOGY) {
                for (String dc : config.topology().datacenters().keySet()) {
                    Choice c = Selector.choose(n.method(), n.fallback(), family.getValue(), Optional.of(dc), random);
                    out.add(answer("datacenter " + dc, family.getKey(), c));
                }
                Choice c = Selector.choose(n.method(), n.fallback(), family.getValue(), Optional.empty(), random);
                out.add(answer("other", family.getKey(), c));
            } else {
                // Weighted answers vary per query: list every member it picks from.
                Method shown = n.method() == Method.WEIGHTED ? Method.ALL : n.method();
                Choice c = Selector.choose(shown, n.fallback(), family.getValue(), Optional.empty(), random);
                String why = n.method() == Method.WEIGHTED ? c.why().replace("every healthy member", "weighted among healthy members") : c.why();
                out.add(answer("all", family.getKey(), new Choice(c.members(), why)));
            }
        }
        return out;
    }

    private static GslbStatus.Answer answer(String clients, String family, Choice c) {
        return new GslbStatus.Answer(clients, family, c.members().stream().map(Candidate::member).toList(), c.why());
    }

    private record Health(boolean healthy, String health, String reason, String source) {
    }

    private Health health(NameConfig n, MemberConfig m, Map<String, HealthState> states) {
        return switch (m.health()) {
            case MemberHealth.Pool p -> {
                Optional<Boolean> eligible = pools.hasEligibleBackend(p.pool());
                String source = "pool " + p.pool();
                if (eligible.isEmpty()) {
                    yield new Health(false, "down", "pool '" + p.pool() + "' does not exist on this appliance", source);
                }
                yield eligible.get() ? new Health(true, "up", "", source)
                        : new Health(false, "down", "pool '" + p.pool() + "' has no eligible backend", source);
            }
            case MemberHealth.Check c -> {
                String source = "check " + Section.kebab(c.config().type());
                HealthState s = states.get(checkId(n, m));
                if (s == null || s.status() == HealthStatus.STARTING) {
                    yield new Health(true, "starting", "", source);
                }
                if (s.status() == HealthStatus.UP) {
                    yield new Health(true, "up", "", source);
                }
                yield new Health(false, "down", s.lastFailureReason().orElse("check failed"), source);
            }
        };
    }

    private static boolean gatePassed(NameConfig n, MemberConfig m, Map<String, HealthState> states) {
        if (n.failback().gate().isEmpty()) {
            return true;
        }
        HealthState s = states.get(gateId(n, m));
        return s != null && s.status() == HealthStatus.UP;
    }

    private static List<CheckTarget> targets(GslbConfig c) {
        List<CheckTarget> out = new ArrayList<>();
        for (NameConfig n : c.names()) {
            for (MemberConfig m : n.members()) {
                InetSocketAddress at = new InetSocketAddress(m.address(), org.dicomlb.gslb.config.GslbConfigReader.DEFAULT_CHECK_PORT);
                if (m.health() instanceof MemberHealth.Check check) {
                    out.add(new CheckTarget(checkId(n, m), at, check.config(), Map.of("name", n.name(), "member", m.name())));
                }
                // ':' never occurs in a member name, so a gate's meters never merge with a member's.
                n.failback().gate().ifPresent(g -> out.add(new CheckTarget(gateId(n, m), at, g,
                        Map.of("name", n.name(), "member", m.name() + ":gate"))));
            }
        }
        return out;
    }

    /** The health checker's id of a member's check. */
    public static String checkId(NameConfig n, MemberConfig m) {
        return "gslb:" + n.name() + "/" + m.name();
    }

    /** The health checker's id of a member's failback gate. */
    public static String gateId(NameConfig n, MemberConfig m) {
        return "gslb-gate:" + n.name() + "/" + m.name();
    }

    private static String key(NameConfig n, MemberConfig m) {
        return n.name() + "/" + m.name();
    }

    private Counter failbackCounter(NameConfig n, MemberConfig m, String how) {
        return failbackCounters.computeIfAbsent(key(n, m) + "#" + how, k -> Counter.builder("dicomlb.gslb.failbacks")
                .tag("name", n.name()).tag("member", m.name()).tag("how", how)
                .description("members answered again after a failure, by how they were released")
                .register(registry));
    }

    private static String describe(Failback f) {
        String mode = switch (f.mode()) {
            case AUTO -> "auto";
            case MANUAL -> "manual";
            case AFTER -> "after " + Durations.format(f.after());
        };
        return f.gate().isPresent() ? mode + ", gated by a " + Section.kebab(f.gate().get().type()) + " check" : mode;
    }

    /** The zones' fixed records and each name's answer records; members' states come later. */
    private ZoneView fixedView(GslbConfig c) {
        List<ZoneView.Zone> zones = new ArrayList<>();
        Map<Name, List<Record>> hosts = new HashMap<>();
        long now = Instant.now().getEpochSecond() & 0xffffffffL;
        Map<String, ZoneSerial> nextSerials = new HashMap<>();
        for (ZoneConfig z : c.zones()) {
            ZoneSerial before = serials.get(z.name());
            // The serial moves only when the zone's own records change, and never backwards.
            long serial = before == null ? now : before.zone().equals(z) ? before.serial() : Math.max(now, before.serial() + 1) & 0xffffffffL;
            nextSerials.put(z.name(), new ZoneSerial(z, serial));
            Name apex = DnsNames.toName(z.name());
            long ttl = z.ttl().toSeconds();
            Name mname = DnsNames.toName(z.nameservers().getFirst().name());
            Name rname = DnsNames.toName(z.contact());
            long negative = z.negativeTtl().toSeconds();
            SOARecord soa = new SOARecord(apex, DClass.IN, ttl, mname, rname, serial, 3600, 600, 1_209_600, negative);
            SOARecord negativeSoa = new SOARecord(apex, DClass.IN, Math.min(ttl, negative), mname, rname, serial, 3600, 600,
                    1_209_600, negative);
            List<NSRecord> ns = new ArrayList<>();
            List<Record> glue = new ArrayList<>();
            for (Nameserver server : z.nameservers()) {
                Name host = DnsNames.toName(server.name());
                ns.add(new NSRecord(apex, DClass.IN, ttl, host));
                if (DnsNames.within(server.name(), z.name())) {
                    List<Record> addresses = new ArrayList<>();
                    for (InetAddress a : server.addresses()) {
                        addresses.add(address(host, ttl, a));
                    }
                    hosts.put(host, addresses);
                    glue.addAll(addresses);
                }
            }
            zones.add(new ZoneView.Zone(apex, soa, negativeSoa, ns, glue));
        }
        serials.clear();
        serials.putAll(nextSerials);
        Map<Name, ZoneView.GslbName> names = new HashMap<>();
        for (NameConfig n : c.names()) {
            Name name = DnsNames.toName(n.name());
            Map<String, Record> records = new HashMap<>();
            Map<String, Counter> answers = new HashMap<>();
            for (MemberConfig m : n.members()) {
                records.put(m.name(), address(name, n.ttl().toSeconds(), m.address()));
                answers.put(m.name(), answerCounters.computeIfAbsent(key(n, m), k -> Counter.builder("dicomlb.gslb.answers")
                        .tag("name", n.name()).tag("member", m.name()).baseUnit("answers")
                        .description("answers that named this member").register(registry)));
            }
            names.put(name, new ZoneView.GslbName(name, n, records, answers, List.of(), List.of()));
        }
        return new ZoneView(zones, names, hosts, new SubnetMap(c.topology().datacenters()), c.limits());
    }

    private static Record address(Name owner, long ttl, InetAddress a) {
        return a instanceof java.net.Inet4Address ? new ARecord(owner, DClass.IN, ttl, a) : new AAAARecord(owner, DClass.IN, ttl, a);
    }
}
