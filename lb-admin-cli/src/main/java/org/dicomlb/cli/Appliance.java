package org.dicomlb.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.dicomlb.cli.admin.AdminApi;
import org.dicomlb.cli.admin.AdminServer;
import org.dicomlb.cli.admin.ApplianceStatus;
import org.dicomlb.cli.admin.RecentEvents;
import org.dicomlb.cli.config.AdminConfig;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.ConfigException;
import org.dicomlb.dnsproxy.DnsBackends;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.EngineException;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.access.AccessLogWriter;
import org.dicomlb.engine.live.LiveConnection;
import org.dicomlb.engine.live.LiveConnections;
import org.dicomlb.engine.live.OperatorClose;
import org.dicomlb.engine.access.EndReason;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.gslb.FailbackResult;
import org.dicomlb.gslb.Gslb;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.io.EventLoops;
import org.dicomlb.l4.L4Exception;
import org.dicomlb.l4.L4Runtime;
import org.dicomlb.l4.config.L4Config;
import org.dicomlb.cli.l4.KernelListeners;
import org.dicomlb.vip.ServingView;
import org.dicomlb.vip.VipException;
import org.dicomlb.vip.VipRuntime;
import org.dicomlb.vip.VipState;
import org.dicomlb.vip.VipStatus;
import org.dicomlb.vip.config.VipAddress;
import org.dicomlb.vip.config.VipConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: one running dicomlb built from a configuration file. It makes the parts
 * the whole appliance shares (event loops, one health checker, one resolver of dns backends, the
 * meter registry, the access log), builds each module on them, applies every reload to each module from one parsed root
 * configuration, and serves the admin API from the status each module publishes. Modules never
 * call back up into it.
 */
public final class Appliance implements AdminApi, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);

    /**
     * Settings fixed for the process lifetime (not reloadable).
     *
     * @param bindIoThreads each I/O thread bound to a CPU of its own, where there are enough
     *                      ({@link EventLoops#boundGroup})
     * @param runtimeDir    where the appliance keeps runtime files (keepalived's, under {@code vip/})
     */
    public record Options(int ioThreads, boolean preferEpoll, boolean bindIoThreads, Path runtimeDir) {
        public Options(int ioThreads, boolean preferEpoll) {
            this(ioThreads, preferEpoll, false, defaultRuntimeDir());
        }

        public static Options defaults() {
            return new Options(0, true);
        }

        /** systemd's {@code RuntimeDirectory=} (first of the list) when set, else /run/dicomlb. */
        public static Path defaultRuntimeDir() {
            String systemd = System.getenv("RUNTIME_DIRECTORY");
            return Path.of(systemd != null && !systemd.isBlank() ? systemd.split(":")[0] : "/run/dicomlb");
        }
    }

    /** How long keepalived may take to check, start or reload before the start or reload fails. */
    private static final long VIP_APPLY_SECONDS = 30;
    /** How long nft may take to check or apply the kernel listeners' rules. */
    private static final long L4_APPLY_SECONDS = 60;

    private final Path configFile;
    private final EventLoops loops;
    private final PrometheusMeterRegistry registry;
    private final HealthChecker health;
    private final DnsBackends dns;
    private final Engine engine;
    private final Gslb gslb;
    private final L4Runtime l4;
    private final AdminServer admin;
    // Reloads are serialised and kept off event loops: reading and parsing the file is blocking I/O.
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dicomlb-reload");
        t.setDaemon(true);
        return t;
    });
    private final List<AutoCloseable> alsoClose = new CopyOnWriteArrayList<>();
    private final RecentEvents events = new RecentEvents();
    private final AutoCloseable healthEvents;
    private final Path runtimeDir;
    /** Made when a vip: section first appears; kept (disabled) if a reload removes it. */
    private volatile VipRuntime vip;

    private Appliance(Path configFile, Options options, AccessLog accessLog) {
        this.configFile = configFile;
        this.runtimeDir = options.runtimeDir();
        this.loops = EventLoops.create(options.preferEpoll());
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        GcMetrics.bindTo(registry);
        this.health = HealthChecker.builder().meterRegistry(registry)
                .transport(ProbeTransport.on(loops.group("health", 1))).build();
        EventLoops.Group io = options.bindIoThreads() ? loops.boundGroup("io", options.ioThreads())
                : loops.group("io", options.ioThreads());
        // dns backends are resolved on a loop of their own, apart from the proxy's and the GSLB's.
        EventLoops.Group resolver = loops.group("resolver", 1);
        this.dns = DnsBackends.builder(resolver.group(), resolver.transport()).meterRegistry(registry).build();
        this.engine = new Engine(new Engine.Parts(io, health, registry, accessLog, dns));
        // The GSLB answers on loops of its own (one per core, a UDP socket each), so a saturated
        // data plane cannot delay the answers that steer clients away from a failed site; it
        // learns its 'pool:' members' state from the engine's published pools.
        EventLoops.Group gslbLoops = loops.group("dns", 0);
        this.gslb = new Gslb(health, engine::poolServing, gslbLoops.group(), gslbLoops.transport(), registry);
        // Listeners of mode dsr and nat are nftables rules, rendered from the engine's pools.
        this.l4 = new L4Runtime(KernelListeners.pools(engine), registry, L4Runtime.Options.defaults());
        this.admin = new AdminServer(loops.group("admin", 1), this);
        // Every owner's health transitions (pools, GSLB members) for the status page.
        this.healthEvents = health.subscribe(e -> events.add("health", e.id(),
                e.from().name().toLowerCase(java.util.Locale.ROOT) + " -> " + e.to().name().toLowerCase(java.util.Locale.ROOT)
                        + (e.reason().isEmpty() ? "" : ": " + e.reason())));
        // Whatever changes a pool's eligible endpoints (health, admin state, DNS answers, a reload,
        // a slow-start step), the kernel's rules and the VIP follow at once, once the engine has
        // published the new snapshot.
        engine.onPoolsChanged(() -> {
            l4.poolsChanged();
            servingChanged();
        });
    }

    /** Builds and starts everything from {@code config}; on failure nothing is left running. */
    public static Appliance start(Path configFile, RootConfig config, Options options, AccessLog accessLog)
            throws EngineException {
        Appliance app = new Appliance(configFile, options, accessLog);
        try {
            Optional<AdminServer.Binding> adminAt = app.bindAdmin(config);
            L4Config kernel = KernelListeners.of(config.engine());
            Optional<String> l4Refused = app.l4Outcome(app.l4.check(kernel));
            if (l4Refused.isPresent()) {
                throw new EngineException(l4Refused.get());
            }
            app.engine.floatingAddresses(floating(config));
            app.engine.start(config.engine());
            Optional<String> l4Failure = app.l4Outcome(app.l4.apply(kernel));
            if (l4Failure.isPresent()) {
                throw new EngineException(l4Failure.get());
            }
            if (config.gslb().isPresent()) {
                app.gslb.apply(config.gslb().get()).join();
            }
            app.commitAdmin(config, adminAt);
            // After the listeners: the VIP comes to a node that already listens on it.
            Optional<String> vipFailure = app.applyVip(config.vip());
            if (vipFailure.isPresent()) {
                throw new EngineException(vipFailure.get());
            }
        } catch (CompletionException e) {
            app.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new EngineException(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        } catch (EngineException | AdminServer.BindFailure | RuntimeException e) {
            app.close();
            throw e instanceof EngineException ee ? ee : new EngineException(e.getMessage());
        }
        LOG.info("dicomlb {} running from {} ({} transport)", VersionProvider.version(), configFile,
                app.loops.transport().name().toLowerCase(java.util.Locale.ROOT));
        return app;
    }

    public Engine engine() {
        return engine;
    }

    /** A new admin listening socket when the file wants one at an address not served now. */
    private Optional<AdminServer.Binding> bindAdmin(RootConfig config) throws AdminServer.BindFailure {
        Optional<AdminConfig> wanted = config.admin();
        if (wanted.isEmpty() || wanted.get().listen().equals(admin.address())) {
            return Optional.empty();
        }
        return Optional.of(admin.bind(wanted.get().listen()));
    }

    private void commitAdmin(RootConfig config, Optional<AdminServer.Binding> bound) {
        admin.token(config.admin().flatMap(AdminConfig::token));
        admin.tls(config.admin().flatMap(AdminConfig::tls));
        config.admin().ifPresent(Appliance::warnIfExposed);
        bound.ifPresent(admin::serveFrom);
        if (config.admin().isEmpty()) {
            admin.stopListening();
        }
    }

    /**
     * An admin listener beyond loopback needs a token (validation insists); without TLS that
     * token, and every status document, crosses the network in clear text. Said at every start
     * and reload that keeps it so.
     */
    private static void warnIfExposed(AdminConfig a) {
        boolean loopback = a.listen().getAddress().isLoopbackAddress();
        if (!loopback && (a.tls().isEmpty() || a.token().isEmpty())) {
            LOG.warn("the admin listener on {} is reachable from the network {}: anyone on the path can read the admin"
                    + " token and status or replay changes; add admin.tls (certificate and key) and a token-file,"
                    + " or listen on 127.0.0.1", org.dicomlb.config.SocketAddresses.format(a.listen()),
                    a.tls().isEmpty() ? "without TLS" : "without a token");
        }
    }

    @Override
    public ApplianceStatus status() {
        return ApplianceStatus.of(VersionProvider.version(), engine.status(), gslb.running() ? gslb.status() : null,
                vipStatus().orElse(null), dns.status(), events.snapshot(), l4.status());
    }

    @Override
    public Optional<VipStatus> vipStatus() {
        VipRuntime r = vip;
        return r == null || !r.status().configured() ? Optional.empty() : Optional.of(r.status());
    }

    @Override
    public Optional<CompletableFuture<VipStatus>> demoteVip(boolean demote) {
        VipRuntime r = vip;
        if (r == null || !r.status().configured()) {
            return Optional.empty();
        }
        return Optional.of(r.demote(demote).whenComplete((v, err) -> {
            if (err == null) {
                events.add("vip", String.join(", ", v.addresses()), (demote ? "demoted" : "promoted") + " by an operator; now "
                        + v.state().name().toLowerCase(java.util.Locale.ROOT));
            }
        }));
    }

    // ---- the VIP ------------------------------------------------------------------------------

    /** The addresses listeners bind whether or not this node holds them now. */
    private static Set<InetAddress> floating(RootConfig config) {
        return config.vip().map(v -> v.addresses().stream().map(VipAddress::address).collect(Collectors.<InetAddress>toSet()))
                .orElse(Set.of());
    }

    private VipRuntime vipRuntime() {
        VipRuntime r = vip;
        if (r == null) {
            ServingView view = new ServingView() {
                @Override
                public boolean listenerBound(String listener) {
                    // A kernel listener "listens" while its rules are in and a real server takes new flows.
                    return engine.listening(listener) || l4.serving(listener);
                }

                @Override
                public boolean poolServable(String pool) {
                    return engine.poolServing(pool).orElse(false);
                }
            };
            r = new VipRuntime(view, registry, VipRuntime.Options.defaults(runtimeDir.resolve("vip"), configFile.toString()));
            r.onTransition((from, to) -> {
                if (from == VipState.MASTER) {
                    // The peer holds the addresses now: clients' packets go there and are reset, so
                    // what was accepted here can never continue; end it (and its backend
                    // associations) instead of holding both until the idle timeout.
                    int ended = engine.endFloatingConnections(EndReason.VIP_LEFT);
                    if (ended > 0) {
                        LOG.warn("vip: {} connection(s) accepted on the VIP ended: the VIP left this node", ended);
                    }
                }
            });
            vip = r;
        }
        return r;
    }

    private void servingChanged() {
        VipRuntime r = vip;
        if (r != null) {
            r.servingChanged();
        }
    }

    /** Applies (or, when the file has none, disables) the vip: section; empty, or why it failed. */
    private Optional<String> applyVip(Optional<VipConfig> wanted) {
        if (wanted.isEmpty() && vip == null) {
            return Optional.empty();
        }
        CompletableFuture<VipStatus> f = wanted.isPresent() ? vipRuntime().apply(wanted.get()) : vip.disable();
        return vipOutcome(f);
    }

    /** Empty when the kernel listeners took {@code f}'s change, else why not. */
    private Optional<String> l4Outcome(CompletableFuture<?> f) {
        try {
            f.get(L4_APPLY_SECONDS, TimeUnit.SECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return Optional.of("kernel listeners: " + (c instanceof L4Exception ? c.getMessage() : String.valueOf(c)));
        } catch (TimeoutException e) {
            return Optional.of("kernel listeners: nft did not finish within " + L4_APPLY_SECONDS + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("kernel listeners: interrupted");
        }
    }

    private static Optional<String> vipOutcome(CompletableFuture<?> f) {
        try {
            f.get(VIP_APPLY_SECONDS, TimeUnit.SECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return Optional.of("vip: " + (c instanceof VipException ? c.getMessage() : String.valueOf(c)));
        } catch (TimeoutException e) {
            return Optional.of("vip: keepalived did not get ready within " + VIP_APPLY_SECONDS + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("vip: interrupted");
        }
    }

    @Override
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public CompletableFuture<Engine.StateChange> setBackendState(String pool, String backend, AdminState state) {
        // Draining a pool's last backend leaves it with nothing eligible: the VIP must know now.
        return engine.setAdminState(pool, backend, state).whenComplete((r, err) -> {
            if (err == null && r.found()) {
                events.add("admin-state", pool + "/" + backend, "set to " + r.backend().adminState() + " by an operator");
            }
        });
    }

    @Override
    public CompletableFuture<LiveConnections> connections(Predicate<LiveConnection> filter, int limit) {
        return engine.connections(filter, limit);
    }

    @Override
    public CompletableFuture<Optional<OperatorClose>> closeConnection(long id) {
        return engine.closeConnection(id).whenComplete((r, err) -> {
            if (err == null && r.isPresent()) {
                LiveConnection c = r.get().connection();
                String who = c.dicom() != null && c.dicom().callingAe() != null ? " (" + c.dicom().callingAe() + ")" : "";
                events.add("connection", Long.toString(id), "closed by an operator: " + c.client() + who + " on "
                        + c.listener() + (c.poolBackend() == null ? "" : " to " + c.poolBackend()) + "; " + r.get().detail());
            }
        });
    }

    @Override
    public CompletableFuture<FailbackResult> gslbFailback(String name) {
        if (!gslb.running()) {
            return CompletableFuture.failedFuture(new IllegalStateException("this dicomlb runs no GSLB (no gslb section)"));
        }
        return gslb.failback(name).whenComplete((r, err) -> {
            if (err == null) {
                events.add("gslb", r.name(), "failback by an operator: " + r.describe());
            }
        });
    }

    public Gslb gslb() {
        return gslb;
    }

    /** Re-reads the configuration file and applies it if valid and bindable; otherwise keeps running as is. */
    @Override
    public CompletableFuture<ReloadResult> reload() {
        return CompletableFuture.supplyAsync(this::reloadNow, reloads).whenComplete((r, err) -> {
            if (err != null) {
                events.add("reload", configFile.toString(), "failed: " + err);
            } else if (r.applied()) {
                events.add("reload", configFile.toString(), "applied: " + r.summary());
            } else {
                events.add("reload", configFile.toString(), "rejected, running configuration unchanged: "
                        + r.errors().size() + " error(s), first: " + (r.errors().isEmpty() ? "-" : r.errors().getFirst()));
            }
        });
    }

    private ReloadResult reloadNow() {
        RootConfig next;
        try {
            next = RootConfigReader.load(configFile);
        } catch (ConfigException e) {
            engine.metrics().reloaded(false);
            e.errors().forEach(err -> LOG.error("reload rejected: {}", err));
            LOG.error("reload rejected with {} error(s); the running configuration is unchanged", e.errors().size());
            return ReloadResult.rejected(e.errors().stream().map(ConfigError::toString).toList());
        }
        if (next.vip().isPresent()) {
            // keepalived's verdict on the new section first, so that a section it refuses
            // rejects the whole reload before anything changed.
            Optional<String> refused = vipOutcome(vipRuntime().check(next.vip().get()));
            if (refused.isPresent()) {
                engine.metrics().reloaded(false);
                LOG.error("reload rejected: {}; the running configuration is unchanged", refused.get());
                return ReloadResult.rejected(List.of(refused.get()));
            }
        }
        // The kernel's verdict on the dsr and nat listeners first (interfaces, forwarding, nft).
        L4Config kernel = KernelListeners.of(next.engine());
        Optional<String> kernelRefused = l4Outcome(l4.check(kernel));
        if (kernelRefused.isPresent()) {
            engine.metrics().reloaded(false);
            LOG.error("reload rejected: {}; the running configuration is unchanged", kernelRefused.get());
            return ReloadResult.rejected(List.of(kernelRefused.get()));
        }
        Optional<AdminServer.Binding> adminAt;
        try {
            adminAt = bindAdmin(next);
        } catch (AdminServer.BindFailure e) {
            engine.metrics().reloaded(false);
            LOG.error("reload rejected: {}; the running configuration is unchanged", e.getMessage());
            return ReloadResult.rejected(List.of(e.getMessage()));
        }
        // The GSLB binds a new listen address before anything changes, like the admin listener.
        Optional<Gslb.Prepared> gslbAt = Optional.empty();
        if (next.gslb().isPresent()) {
            try {
                gslbAt = Optional.of(gslb.prepare(next.gslb().get()).join());
            } catch (CompletionException e) {
                adminAt.ifPresent(admin::discard);
                engine.metrics().reloaded(false);
                String why = e.getCause() == null ? String.valueOf(e) : e.getCause().getMessage();
                LOG.error("reload rejected: {}; the running configuration is unchanged", why);
                return ReloadResult.rejected(List.of(why));
            }
        }
        ReloadResult r;
        try {
            engine.floatingAddresses(floating(next));
            r = engine.apply(next.engine()).join();
        } catch (CompletionException e) {
            LOG.error("reload failed; the running configuration is unchanged", e.getCause());
            r = ReloadResult.rejected(List.of(String.valueOf(e.getCause())));
        }
        if (!r.applied()) {
            adminAt.ifPresent(admin::discard);
            gslbAt.ifPresent(gslb::discard);
            return r;
        }
        commitAdmin(next, adminAt);
        // After the engine, whose pools the rules are rendered from. Checked above, so a failure here
        // is nft failing on the host, not the file: say what did apply.
        Optional<String> kernelFailure = l4Outcome(l4.apply(kernel));
        if (kernelFailure.isPresent()) {
            LOG.error("reload: listeners, pools and admin applied, but {}", kernelFailure.get());
            r = new ReloadResult(true, List.of(kernelFailure.get()), r.summary() + "; the dsr and nat listeners kept their"
                    + " previous rules");
        }
        // After the engine, so that members following a pool new in this file find it.
        try {
            if (gslbAt.isPresent()) {
                gslb.commit(gslbAt.get()).join();
            } else if (gslb.running()) {
                gslb.clear().join();
            }
        } catch (CompletionException e) {
            LOG.error("the GSLB could not take the new configuration and keeps its previous one", e.getCause());
            return new ReloadResult(true, List.of("GSLB: " + e.getCause().getMessage()), r.summary());
        }
        // Last, after the listeners that bind its addresses. Checked above, so a failure here is
        // keepalived failing to run, not the file: say what did apply.
        Optional<String> vipFailure = applyVip(next.vip());
        if (vipFailure.isPresent()) {
            LOG.error("reload: listeners, pools and admin applied, but {}", vipFailure.get());
            return new ReloadResult(true, List.of(vipFailure.get()), r.summary() + "; the vip: section was not applied");
        }
        return r;
    }

    /** Exports how many access-log lines the writer had to drop (a disk that cannot keep up). */
    public void countDroppedAccessLines(AccessLogWriter writer) {
        FunctionCounter.builder("dicomlb.access.log.dropped", writer, AccessLogWriter::dropped)
                .description("Access-log lines dropped because the writer fell 16 MiB of lines behind")
                .register(registry);
    }

    /**
     * Stops accepting and gives open connections {@code grace} to finish. The VIP goes first: the
     * peer takes it (and new associations) within its skew time, rather than this node keeping it
     * while it refuses new connections.
     */
    public int drainAndClose(Duration grace) {
        admin.stopListening();
        closeVip();
        int left = engine.drainAndClose(grace);
        close();
        return left;
    }

    private void closeVip() {
        VipRuntime r = vip;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public void close() {
        closeVip();
        try {
            healthEvents.close();
        } catch (Exception e) {
            LOG.debug("unsubscribing: {}", e.toString());
        }
        reloads.shutdownNow();
        gslb.close();
        // The kernel's rules go with the process (after the VIP, which clients follow to the peer).
        l4.close();
        engine.close();
        admin.close();
        dns.close();
        health.close();
        loops.close();
        for (AutoCloseable c : alsoClose) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
    }

    /** Something started with the appliance that must stop with it (demo backends). */
    public void alsoClose(AutoCloseable c) {
        alsoClose.add(c);
    }
}
