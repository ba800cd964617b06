package org.dicomlb.l4;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.l4.config.L4Config;
import org.dicomlb.l4.config.L4Listener;
import org.dicomlb.l4.internal.Counters;
import org.dicomlb.l4.internal.Decision;
import org.dicomlb.l4.internal.Host;
import org.dicomlb.l4.internal.L4Meters;
import org.dicomlb.l4.internal.LocalHost;
import org.dicomlb.l4.internal.Neighbours;
import org.dicomlb.l4.internal.NftTable;
import org.dicomlb.l4.internal.Ruleset;
import org.dicomlb.l4.internal.SlotTable;
import org.dicomlb.l4.internal.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel listeners ({@code mode: dsr} and {@code mode: nat}): keeps nftables rules and maps
 * in step with the pools they serve. Every change (a new configuration, a pool's members changing
 * state, a real server's MAC address appearing or going) is rendered into the two tables
 * ({@code netdev dicomlb}, {@code ip dicomlb}) and applied as one nft transaction, only when the
 * rendered tables differ from what the kernel has. Flow tables and counters live in the kernel
 * and outlive changes; {@link #close} removes both tables.
 *
 * <p>All work runs on one thread of its own ({@code dicomlb-l4}): the control thread of this part.
 * It never touches the engine; the pools come through the {@link PoolView} the root gives it, and
 * {@link #poolsChanged} is how the root says they may have changed. Until a configuration with
 * kernel listeners is applied it runs no command at all (nft need not be installed).
 */
public final class L4Runtime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(L4Runtime.class);
    /** Keep using a MAC whose neighbour entry the kernel dropped (unused, garbage-collected) while a probe brings it back. */
    private static final Duration KEEP_LAST_MAC = Duration.ofSeconds(30);
    /** At most one probe per address in this time: the kernel asks three times itself. */
    private static final Duration PROBE_EVERY = Duration.ofSeconds(3);
    /** How long an apply waits for the MACs of new real servers before rendering without them. */
    private static final Duration FIRST_RESOLUTION = Duration.ofMillis(600);

    /**
     * Settings fixed for the process.
     *
     * @param table     the name of both tables ({@code netdev NAME}, {@code ip NAME})
     * @param launcher  a command prefix for every command and file read (a test's {@code ip netns
     *                  exec NS}); empty on an appliance
     * @param tick      how often MAC addresses are re-read (and the rules re-rendered if one changed)
     * @param counters  how often the nft counters are read for status and metrics
     */
    public record Options(String table, List<String> launcher, Duration tick, Duration counters) {
        public Options {
            Objects.requireNonNull(table, "table");
            launcher = List.copyOf(launcher);
            Objects.requireNonNull(tick, "tick");
            Objects.requireNonNull(counters, "counters");
        }

        public static Options defaults() {
            return new Options("dicomlb", List.of(), Duration.ofMillis(500), Duration.ofSeconds(2));
        }
    }

    /** What the kernel has of one table: {@code known} false when this process cannot say (first use, after a failure). */
    private record Applied(NftTable table, boolean known) {
        static final Applied UNKNOWN = new Applied(null, false);
    }

    private record Mac(String mac, long nanos) {
    }

    private final PoolView pools;
    private final Options options;
    private final Host host;
    private final L4Meters meters;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();

    // ---- the runtime thread's own state ----
    private L4Config config = L4Config.EMPTY;
    /** True once a configuration with kernel listeners was applied: from then on the tables are ours. */
    private boolean touched;
    /**
     * True once a configuration with kernel listeners was handed to the runtime thread (any thread
     * sets it, before handing over). Until then an empty configuration is answered without that
     * thread, so an appliance without kernel listeners never starts it; from then on every call
     * goes through it, in order.
     */
    private volatile boolean engaged;
    private Applied dsr = Applied.UNKNOWN;
    private Applied nat = Applied.UNKNOWN;
    private Map<String, Neighbours.Entry> neighbours = Map.of();
    private final Map<String, Mac> lastMac = new HashMap<>();
    private final Map<InetAddress, Long> probed = new HashMap<>();
    private final Map<String, String> ownMacs = new HashMap<>();
    private List<Decision> decisions = List.of();
    private Map<String, Ruleset.CounterRef> counterRefs = Map.of();
    private Map<String, Counters.Value> counterValues = Map.of();
    private Map<String, String> lastStates = Map.of();
    private String error;
    private Instant appliedAt;
    private ScheduledFuture<?> ticker;
    private long lastCounterRead;

    private volatile L4Status status = L4Status.NONE;
    private volatile Set<String> serving = Set.of();

    public L4Runtime(PoolView pools, MeterRegistry registry, Options options) {
        this(pools, registry, options, new LocalHost(options.launcher()));
    }

    L4Runtime(PoolView pools, MeterRegistry registry, Options options, Host host) {
        this.pools = Objects.requireNonNull(pools, "pools");
        this.options = Objects.requireNonNull(options, "options");
        this.host = host;
        this.meters = new L4Meters(registry);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dicomlb-l4");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks that {@code next} can be applied on this host without changing anything: its
     * interfaces exist, forwarding is on for nat, nft is installed and the kernel accepts the rules
     * rendered from the pools as they are now. Fails with an {@link L4Exception} saying why.
     */
    public CompletableFuture<Void> check(L4Config next) {
        if (idle(next)) {
            return CompletableFuture.completedFuture(null);
        }
        return supply(() -> {
            if (next.isEmpty()) {
                return null;
            }
            checkHost(next);
            Ruleset.Rendered r = Ruleset.render(options.table(), decide(next, false));
            for (NftTable t : new NftTable[] {r.dsr(), r.nat()}) {
                if (t != null) {
                    host.nftCheck(t.transaction(null));
                }
            }
            return null;
        });
    }

    /**
     * Serves {@code next} from now on, all or nothing: when the host lacks something or nft refuses
     * the rules, the previous listeners stay as they were and the future fails with the reason.
     */
    public CompletableFuture<L4Status> apply(L4Config next) {
        if (idle(next)) {
            return CompletableFuture.completedFuture(status);
        }
        return supply(() -> {
            if (!next.isEmpty()) {
                checkHost(next);
            }
            L4Config previous = config;
            config = next;
            if (next.isEmpty() && !touched) {
                return status;
            }
            touched = true;
            resolveNewMembers();
            try {
                refresh();
            } catch (L4Exception e) {
                config = previous;
                try {
                    refresh();
                } catch (L4Exception again) {
                    LOG.error("kernel listeners: the previous rules could not be restored either: {}", again.getMessage());
                }
                throw e;
            }
            if (next.isEmpty()) {
                stopTicking();
            } else if (ticker == null) {
                ticker = thread.scheduleWithFixedDelay(this::tick, options.tick().toMillis(), options.tick().toMillis(),
                        TimeUnit.MILLISECONDS);
            }
            readCounters();
            publish();
            return status;
        });
    }

    /** The pools' members may have changed (health, admin state, weights, a reload): re-render soon. Any thread. */
    public void poolsChanged() {
        // Before any kernel listener there is nothing to re-render; the first apply renders from
        // the pools as they are when it runs.
        if (engaged && refreshQueued.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    refreshQueued.set(false);
                    refreshQuietly();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                refreshQueued.set(false); // closed
            }
        }
    }

    /**
     * Whether {@code next} is empty and nothing else was ever handed to the runtime thread: then
     * the tables were never ours and the status is {@link L4Status#NONE}, and there is nothing to
     * do. Otherwise marks the runtime engaged.
     */
    private boolean idle(L4Config next) {
        if (next.isEmpty() && !engaged) {
            return true;
        }
        engaged = true;
        return false;
    }

    /** The kernel listeners now; any thread. */
    public L4Status status() {
        return status;
    }

    /** Whether the kernel listener {@code name} has rules in place and a real server taking new flows. Any thread. */
    public boolean serving(String name) {
        return serving.contains(name);
    }

    /** Removes both tables (established direct-return flows stop being forwarded) and stops. */
    @Override
    public void close() {
        if (thread.isShutdown()) {
            return;
        }
        try {
            thread.submit(() -> {
                stopTicking();
                if (touched) {
                    remove("netdev", dsr);
                    remove("ip", nat);
                    dsr = new Applied(null, true);
                    nat = new Applied(null, true);
                }
                meters.clear();
                serving = Set.of();
                status = L4Status.NONE;
            }).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("kernel listeners: could not remove the rules: {}", e.toString());
        }
        thread.shutdown();
    }

    // ---- the runtime thread -------------------------------------------------------------------

    private interface Work<T> {
        T run() throws L4Exception;
    }

    private <T> CompletableFuture<T> supply(Work<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    f.complete(work.run());
                } catch (L4Exception | RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(new L4Exception("the kernel listeners are stopped"));
        }
        return f;
    }

    private void stopTicking() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
    }

    /** What the host must have for {@code next}; every problem in one message. */
    private void checkHost(L4Config next) throws L4Exception {
        List<String> problems = new ArrayList<>();
        boolean natWanted = false;
        for (L4Listener l : next.listeners()) {
            if (l.iface().isPresent() && host.mac(l.iface().get()).isEmpty()) {
                problems.add("listener '" + l.name() + "': there is no interface '" + l.iface().get() + "' on this host");
            }
            natWanted |= l.kind() == L4Listener.Kind.NAT;
        }
        if (natWanted && !host.forwardsIpv4()) {
            problems.add("mode nat needs IPv4 forwarding, which is off on this host; turn it on with"
                    + " sysctl -w net.ipv4.ip_forward=1 (and net.ipv4.ip_forward = 1 in /etc/sysctl.d/)");
        }
        if (!problems.isEmpty()) {
            throw new L4Exception(String.join("; ", problems));
        }
    }

    private void tick() {
        refreshQuietly();
        long now = System.nanoTime();
        if (now - lastCounterRead >= options.counters().toNanos()) {
            readCounters();
            publish();
        }
    }

    private void refreshQuietly() {
        if (!touched) {
            return;
        }
        try {
            refresh();
        } catch (L4Exception e) {
            // Logged and in status; the next change or tick tries again.
            publish();
        } catch (RuntimeException e) {
            LOG.error("kernel listeners: rendering failed", e);
        }
    }

    /** Reads the neighbours, decides, renders and applies what changed. */
    private void refresh() throws L4Exception {
        readNeighbours();
        decisions = decide(config, true);
        Ruleset.Rendered r = Ruleset.render(options.table(), decisions);
        try {
            dsr = put("netdev", r.dsr(), dsr);
            nat = put("ip", r.nat(), nat);
            error = null;
        } catch (L4Exception e) {
            error = e.getMessage();
            throw e;
        } finally {
            counterRefs = r.counters();
            publish();
        }
        logChanges();
    }

    /** Brings one table to {@code wanted} (null: absent); incremental when the kernel's table is known. */
    private Applied put(String family, NftTable wanted, Applied now) throws L4Exception {
        if (now.known() && Objects.equals(now.table(), wanted)) {
            return now;
        }
        if (wanted == null) {
            remove(family, now);
            return new Applied(null, true);
        }
        String script = wanted.transaction(now.known() ? now.table() : null);
        try {
            host.nft(script);
        } catch (L4Exception first) {
            if (!now.known() || now.table() == null) {
                meters.transaction(false);
                LOG.error("kernel listeners: nft refused the {} table: {}", family, first.getMessage());
                throw first;
            }
            // The kernel's table is not what we think (someone changed it): build it from scratch.
            LOG.warn("kernel listeners: the {} table changed outside dicomlb ({}); replacing it", family, first.getMessage());
            try {
                host.nft(wanted.transaction(null));
            } catch (L4Exception second) {
                meters.transaction(false);
                LOG.error("kernel listeners: nft refused the {} table: {}", family, second.getMessage());
                throw second;
            }
        }
        meters.transaction(true);
        LOG.debug("kernel listeners: {} table applied:\n{}", family, script);
        appliedAt = Instant.now();
        return new Applied(wanted, true);
    }

    private void remove(String family, Applied now) {
        if (now.known() && now.table() == null) {
            return;
        }
        try {
            host.nft("table " + family + " " + options.table() + " {\n}\ndelete table " + family + " " + options.table() + "\n");
            meters.transaction(true);
        } catch (L4Exception e) {
            meters.transaction(false);
            LOG.error("kernel listeners: could not remove the {} table: {}", family, e.getMessage());
        }
    }

    private void readNeighbours() throws L4Exception {
        neighbours = Neighbours.parse(host.arp());
        for (L4Listener l : config.listeners()) {
            if (l.iface().isPresent()) {
                String iface = l.iface().get();
                host.mac(iface).ifPresent(m -> ownMacs.put(iface, m));
            }
        }
    }

    /** Probes the real servers of dsr listeners whose MAC is not known yet, and waits a moment for the answers. */
    private void resolveNewMembers() throws L4Exception {
        readNeighbours();
        long deadline = System.nanoTime() + FIRST_RESOLUTION.toNanos();
        while (true) {
            boolean missing = false;
            for (Decision d : decide(config, true)) {
                for (Target t : d.targets()) {
                    missing |= t.mac() == null && t.problem().contains("resolving");
                }
            }
            if (!missing || System.nanoTime() > deadline) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            readNeighbours();
        }
    }

    private List<Decision> decide(L4Config c, boolean probe) throws L4Exception {
        List<Decision> out = new ArrayList<>();
        for (L4Listener l : c.listeners()) {
            Optional<PoolView.PoolState> ps = pools.pool(l.pool());
            PoolView.Balance balance = ps.map(PoolView.PoolState::balance).orElse(PoolView.Balance.FLOW);
            List<PoolView.Member> members = ps.map(PoolView.PoolState::members).orElse(List.of());
            List<Target> targets = new ArrayList<>();
            Map<String, String> macOwners = new HashMap<>();
            String own = null;
            if (l.kind() == L4Listener.Kind.DSR) {
                String iface = l.iface().orElseThrow();
                own = ownMacs.get(iface);
                if (own == null) {
                    own = host.mac(iface).orElse(null);
                }
                if (own == null) {
                    throw new L4Exception("listener '" + l.name() + "': there is no interface '" + iface + "' on this host");
                }
            }
            for (PoolView.Member m : members) {
                targets.add(target(l, m, macOwners, own, probe));
            }
            out.add(Decision.of(l, own, balance, targets, SlotTable.SLOTS));
        }
        return out;
    }

    private Target target(L4Listener l, PoolView.Member m, Map<String, String> macOwners, String own, boolean probe) {
        InetAddress a = m.address().getAddress();
        if (!(a instanceof Inet4Address)) {
            return new Target(m, null, "an IPv6 address: " + l.kind().label() + " listeners serve IPv4");
        }
        if (l.kind() == L4Listener.Kind.NAT) {
            return new Target(m, null, "");
        }
        if (m.address().getPort() != l.vip().getPort()) {
            return new Target(m, null, "port " + m.address().getPort() + " is not the VIP's " + l.vip().getPort()
                    + ": a dsr real server receives the client's packets unchanged");
        }
        String iface = l.iface().orElseThrow();
        String key = Neighbours.key(iface, a.getHostAddress());
        Neighbours.Entry e = neighbours.get(key);
        String mac = null;
        String problem = "";
        long now = System.nanoTime();
        if (e != null && e.mac() != null) {
            mac = e.mac();
            lastMac.put(key, new Mac(mac, now));
        } else {
            Mac last = lastMac.get(key);
            if (e == null && last != null && now - last.nanos() < KEEP_LAST_MAC.toNanos()) {
                mac = last.mac(); // the kernel forgot an idle entry; the probe below brings it back
            } else {
                problem = e == null ? "no MAC address for " + a.getHostAddress() + " on " + iface + " yet (resolving)"
                        : "no MAC address for " + a.getHostAddress() + " on " + iface + " (ARP unanswered)";
            }
            if (probe) {
                Long at = probed.get(a);
                if (at == null || now - at >= PROBE_EVERY.toNanos()) {
                    probed.put(a, now);
                    host.probe(a);
                }
            }
        }
        if (mac != null) {
            if (mac.equals(own)) {
                return new Target(m, null, a.getHostAddress() + " is this appliance");
            }
            String earlier = macOwners.putIfAbsent(mac, m.backend());
            if (earlier != null) {
                return new Target(m, mac, "same MAC address as " + earlier + " (one host: dsr cannot tell them apart)");
            }
        }
        return new Target(m, mac, problem);
    }

    private void readCounters() {
        lastCounterRead = System.nanoTime();
        if (!touched) {
            return;
        }
        Map<String, Counters.Value> values = new HashMap<>();
        try {
            if (dsr.table() != null || !dsr.known()) {
                values.putAll(Counters.parse(host.counters("netdev", options.table())));
            }
            if (nat.table() != null || !nat.known()) {
                values.putAll(Counters.parse(host.counters("ip", options.table())));
            }
        } catch (L4Exception | IOException e) {
            LOG.debug("kernel listeners: counters not read: {}", e.toString());
            return;
        }
        counterValues = values;
        meters.counters(counterRefs, values);
    }

    /** One log line per real server whose state changed. */
    private void logChanges() {
        Map<String, String> now = new LinkedHashMap<>();
        for (Decision d : decisions) {
            for (int i = 0; i < d.targets().size(); i++) {
                Target t = d.targets().get(i);
                String key = d.listener().name() + " " + t.member().id();
                String state = d.states().get(i) + (d.reasons().get(i).isEmpty() ? "" : " (" + d.reasons().get(i) + ")");
                now.put(key, state);
                String before = lastStates.get(key);
                if (!state.equals(before)) {
                    boolean bad = d.states().get(i).equals(Decision.DOWN) && !t.usable();
                    String line = "{} listener '{}': {} {}";
                    Object[] args = {d.listener().kind().label(), d.listener().name(), t.member().id(),
                            before == null ? "is " + state : state + " (was " + before + ")"};
                    if (bad) {
                        LOG.warn(line, args);
                    } else {
                        LOG.info(line, args);
                    }
                }
            }
        }
        lastStates = now;
    }

    private void publish() {
        List<L4Status.Listener> ls = new ArrayList<>();
        Map<String, Integer> forwarding = new HashMap<>();
        java.util.Set<String> up = new java.util.HashSet<>();
        Map<String, String> counterOf = new HashMap<>();
        counterRefs.forEach((name, ref) -> counterOf.put(ref.listener() + " " + ref.memberId(), name));
        for (Decision d : decisions) {
            L4Listener l = d.listener();
            int[] slots = d.newFlowSlots();
            List<L4Status.Backend> bs = new ArrayList<>();
            int taking = 0;
            for (int i = 0; i < d.targets().size(); i++) {
                Target t = d.targets().get(i);
                Counters.Value v = counterValues.getOrDefault(counterOf.getOrDefault(l.name() + " " + t.member().id(), ""),
                        Counters.Value.ZERO);
                bs.add(new L4Status.Backend(t.member().backend(), t.member().id(), SocketAddresses.format(t.member().address()),
                        t.mac(), d.states().get(i), d.reasons().get(i), slots[i], v.packets(), v.bytes()));
                taking += slots[i] > 0 ? 1 : 0;
            }
            boolean inKernel = error == null && (l.kind() == L4Listener.Kind.DSR ? dsr : nat).known();
            if (inKernel && d.serving()) {
                up.add(l.name());
            }
            forwarding.put(l.name(), taking);
            ls.add(new L4Status.Listener(l.name(), l.kind().label(), SocketAddresses.format(l.vip()), l.iface().orElse(null),
                    l.pool(), l.kind() == L4Listener.Kind.NAT && l.masquerade() ? "appliance" : "client",
                    inKernel && d.serving(), bs));
        }
        meters.forwarding(forwarding);
        serving = Set.copyOf(up);
        status = new L4Status(error == null && touched, appliedAt == null ? null : appliedAt.truncatedTo(ChronoUnit.MILLIS).toString(),
                error, ls);
    }
}
