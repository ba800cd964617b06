package org.dicomlb.harness.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.dicomlb.config.Durations;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.process.Server;

/**
 * One soak: dicomlb as a process of its own in front of two storescp archives and two echo
 * backends, every kind of load at once until the deadline while faults are injected, then the
 * checks (docs/soak.md):
 * <ol>
 *   <li>every instance storescu was told was stored is at a backend;</li>
 *   <li>no client hung past its bounds, and every load generator stopped in time;</li>
 *   <li>dicomlb's resident memory and its descriptors show no upward trend ({@link ResourceTrend}),
 *       nor does its live heap ({@link LiveHeap});</li>
 *   <li>dicomlb's log has no unexpected line ({@link LogFindings});</li>
 *   <li>every fault was injected at least once and dicomlb answered each as documented;</li>
 *   <li>every kind of client succeeded at least once (the load really ran);</li>
 *   <li>dicomlb lived through it, and afterwards every backend is up and ready again.</li>
 * </ol>
 * Failures seen by clients around faults are counted and reported, not judged.
 */
public final class Soak {
    /**
     * Resident memory may grow between the windows by 32 MiB or 5 % of the early median, whichever
     * is more. The heap is committed and touched from the start ({@link #HEAP_OPTIONS}), so what
     * still grows after the warm-up is the JIT's code cache, metaspace, memory glibc keeps after
     * the compiler freed it, and Netty's pools adding chunks when a storm or a flood reaches a new
     * peak: measured, under 2 MiB between the windows of a 10-minute soak. A leaked pooled buffer
     * per association (16 KiB), or a KiB of native memory per connection, passes 32 MiB within a
     * few thousand associations or some tens of thousands of connections, minutes of this load.
     */
    static final long RSS_SLACK_KIB = 32 * 1024;
    static final double RSS_FRACTION = 0.05;
    /**
     * Descriptors may grow between the windows by 32 or 15 % of the early median. Outside floods,
     * what is open besides a fixed base is the connections in flight: a few storescu associations,
     * a storm's C-ECHOs, a half-close client, health probes; two descriptors each, a few dozen at
     * most, and medians smooth that. A leak of one descriptor per connection passes 32 within the
     * first seconds of a storm.
     */
    static final long FD_SLACK = 32;
    static final double FD_FRACTION = 0.15;

    /**
     * Netty's leak detector in dicomlb: paranoid tracks every buffer, so a buffer that is never
     * released is reported ("LEAK:", an ERROR line the log check catches) once the collector finds
     * it, instead of one in 128 as by default.
     */
    public static final String LEAK_DETECTION = "paranoid";
    /**
     * dicomlb's heap committed and touched from the start, at the launcher's maximum. With the
     * launcher's small initial heap, the serial collector grows the old generation with promoted
     * garbage for as long as it may (measured: RSS up 4 MiB a minute, linearly, for 20 minutes,
     * while the live heap stayed at 10 MiB), which would bury a native leak in RSS. Pinned, RSS
     * shows what grows outside the heap, and {@link LiveHeap} shows the heap itself.
     */
    static final List<String> HEAP_OPTIONS = List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch");
    /** The live heap may grow between its two readings by 8 MiB or 25 %, whichever is more. */
    static final long HEAP_SLACK_KIB = 8 * 1024;
    static final double HEAP_FRACTION = 0.25;
    /** The late live-heap reading is taken this long before the deadline, while the load still runs. */
    private static final Duration LATE_HEAP_LEAD = Duration.ofSeconds(20);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(10);
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(30);
    /** Past the deadline, how long the load generators get to finish what they started. */
    private static final Duration STOP_SLACK = Duration.ofSeconds(30);

    private final SoakSettings settings;
    private final DicomlbStart start;
    private final Path out;
    private final Path scratch;
    private final Children children;
    private final Timeline timeline;
    private final ConcurrentLinkedQueue<String> generatorErrors = new ConcurrentLinkedQueue<>();
    private final long began = System.nanoTime();

    private Soak(SoakSettings settings, DicomlbStart start, Path out, Path scratch, Children children, Timeline timeline) {
        this.settings = settings;
        this.start = start;
        this.out = out;
        this.scratch = scratch;
        this.children = children;
        this.timeline = timeline;
    }

    /**
     * Runs a soak and writes report.md, report.json, samples.csv, timeline.log, dicomlb's
     * configuration and logs to {@code out}. Returns the report; its verdict says whether it passed.
     *
     * @throws IOException when the soak could not run at all (a peer would not start, dicomlb
     *                     would not come up): that is no verdict
     */
    public static SoakReport run(SoakSettings settings, DicomlbStart start, Path out, PrintStream progress)
            throws IOException, InterruptedException {
        Files.createDirectories(out);
        Path scratch = Files.createTempDirectory("dicomlb-soak-");
        try (Children children = new Children(); Timeline timeline = new Timeline(out.resolve("timeline.log"), progress)) {
            return new Soak(settings, start.withJvmOptions(HEAP_OPTIONS), out, scratch, children, timeline).execute();
        } finally {
            deleteTree(scratch);
        }
    }

    private SoakReport execute() throws IOException, InterruptedException {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        machine.put("load average at start", loadAverage());
        SoakLayout layout = SoakLayout.pick();
        SoakConfig config = SoakConfig.initial(layout);
        Path configFile = out.resolve("dicomlb.yaml");
        Faults.write(configFile, config.yaml());

        List<EchoBackend> echoBackends = new ArrayList<>();
        List<StoreScpBackend> storescps = new ArrayList<>();
        try (AdminClient admin = new AdminClient(layout.admin())) {
            for (int i = 0; i < 2; i++) {
                echoBackends.add(EchoBackend.start(SoakConfig.ECHO_NAMES.get(i), layout.echoBackends().get(i)));
                StoreScpBackend scp = new StoreScpBackend(SoakConfig.STORESCP_NAMES.get(i), layout.storescps().get(i),
                        scratch.resolve(SoakConfig.STORESCP_NAMES.get(i)), out.resolve(SoakConfig.STORESCP_NAMES.get(i) + ".log"),
                        children);
                scp.start();
                storescps.add(scp);
            }
            Instances instances = Instances.create(children, scratch.resolve("template"), Instant.now().getEpochSecond());
            Server dicomlb = children.start("dicomlb", start.run(configFile, out.resolve("access.log")), start.env(),
                    out.resolve("dicomlb.log"));
            try {
                dicomlb.awaitListening(layout.dicom().getPort(), START_TIMEOUT);
                awaitBackends(admin, START_TIMEOUT, "after start");
                return soak(layout, config, configFile, admin, dicomlb, storescps, instances, machine);
            } finally {
                dicomlb.close();
            }
        } finally {
            storescps.forEach(StoreScpBackend::stop);
            echoBackends.forEach(EchoBackend::close);
        }
    }

    private SoakReport soak(SoakLayout layout, SoakConfig config, Path configFile, AdminClient admin, Server dicomlb,
                            List<StoreScpBackend> storescps, Instances instances, Map<String, String> machine)
            throws IOException, InterruptedException {
        Tally stores = new Tally("storescu associations");
        Tally echoes = new Tally("C-ECHO associations");
        Tally halfClose = new Tally("half-close clients");
        Tally idle = new Tally("idle connections");
        Delivery delivery = new Delivery(storescps.stream().map(StoreScpBackend::dir).toList());
        FloodWindows floods = new FloodWindows();
        Faults faults = new Faults(config, configFile, admin, storescps, settings, timeline);
        Sampler sampler = new Sampler(dicomlb, floods, settings.sampleInterval());
        IdleFlood flood = new IdleFlood(layout.tcp(), settings.idleConnections(), settings.idleHold(), settings.idlePause(),
                idle, floods);
        List<StoreStream> streams = new ArrayList<>();
        for (int i = 0; i < settings.storeStreams(); i++) {
            streams.add(new StoreStream(i, children, layout.dicom(), instances, settings.instancesPerAssociation(),
                    scratch.resolve("storescu"), stores, delivery));
        }

        timeline.startClock();
        long loadStart = System.nanoTime();
        long deadline = loadStart + settings.duration().toNanos();
        timeline.event("load and faults start for " + Durations.format(settings.duration()) + "; dicomlb pid " + dicomlb.pid());
        List<Thread> load = new ArrayList<>();
        for (StoreStream s : streams) {
            load.add(generator("storescu-" + load.size(), () -> s.runUntil(deadline)));
        }
        load.add(generator("echo-storm", () -> new EchoStorm(layout.dicom(), settings.echoConcurrency(), settings.echoBurst(),
                settings.echoPause(), echoes).runUntil(deadline)));
        load.add(generator("idle-flood", () -> flood.runUntil(deadline)));
        for (int i = 0; i < settings.halfCloseClients(); i++) {
            load.add(generator("half-close-" + i, () -> new HalfCloseClients(layout.tcp(), halfClose).runUntil(deadline)));
        }
        load.add(generator("faults", () -> faults.runUntil(deadline)));
        Thread sampling = generator("sampler", () -> sampler.runUntil(loadStart, deadline));
        HeapProbe heap = new HeapProbe(dicomlb, floods, loadStart);
        long early = loadStart + settings.warmUp().toNanos();
        Thread probing = generator("heap-probe", () -> heap.run(early, deadline - LATE_HEAP_LEAD.toNanos(), deadline));
        Thread sweeping = generator("sweeper", () -> sweep(delivery, deadline, stores, echoes, halfClose, idle, sampler));

        // Every generator bounds each of its steps; the longest is one storescu run.
        long stopBy = deadline + streams.getFirst().outerBound().plus(STOP_SLACK).toNanos();
        List<String> stuck = new ArrayList<>();
        for (Thread t : load) {
            if (!join(t, stopBy)) {
                stuck.add(t.getName());
                t.interrupt();
            }
        }
        join(sampling, stopBy);
        join(probing, stopBy);
        join(sweeping, stopBy);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        timeline.event("load stopped" + (stuck.isEmpty() ? "" : "; still running, interrupted: " + stuck));
        delivery.sweep();
        boolean aliveAfterLoad = dicomlb.isAlive();
        String recovery = aliveAfterLoad ? recovered(admin) : "dicomlb is not running";
        long unconfirmed = delivery.unconfirmedFiles();

        // The log is complete once dicomlb has stopped (its SIGTERM path logs too).
        dicomlb.close();
        machine.put("load average at end", loadAverage());
        LogFindings log = LogFindings.scan(out.resolve("dicomlb.log"));
        List<Sample> samples = sampler.samples();
        ResourceTrend rss = ResourceTrend.judge("dicomlb RSS", "KiB", samples, Sample::rssKib, settings.warmUp(),
                settings.duration(), RSS_SLACK_KIB, RSS_FRACTION);
        ResourceTrend fds = ResourceTrend.judge("dicomlb descriptors", "fds", samples, Sample::descriptors,
                settings.warmUp(), settings.duration(), FD_SLACK, FD_FRACTION);
        LiveHeap.Check liveHeap = heap.check();

        List<ClientCounts> clients = List.of(stores.counts(), echoes.counts(), halfClose.counts(), idle.counts());
        SoakReport.InstanceCounts ic = new SoakReport.InstanceCounts(delivery.confirmedTotal(), delivery.found(),
                delivery.missingTotal(), delivery.missingExamples(), unconfirmed);
        Map<String, Long> injected = faults.injected();

        List<SoakReport.Check> checks = new ArrayList<>();
        checks.add(new SoakReport.Check("every stored instance is at a backend", ic.missing() == 0 && ic.confirmed() > 0,
                ic.missing() > 0 ? ic.missing() + " of " + ic.confirmed() + " instances storescu saw stored are at no backend, e.g. "
                        + ic.missingExamples()
                        : ic.confirmed() == 0 ? "storescu stored nothing" : "all " + ic.confirmed() + " found"));
        long hung = clients.stream().mapToLong(ClientCounts::hung).sum();
        checks.add(new SoakReport.Check("no client hung past its timeouts", hung == 0 && stuck.isEmpty(),
                hung + " hung" + (stuck.isEmpty() ? "" : "; load generators that did not stop: " + stuck)
                        + clients.stream().filter(c -> c.hung() > 0).map(c -> "; " + c.name() + ": " + c.examples()).reduce("", String::concat)));
        checks.add(new SoakReport.Check("RSS shows no upward trend", rss.passed(), rss.detail()));
        checks.add(new SoakReport.Check("descriptors show no upward trend", fds.passed(), fds.detail()));
        checks.add(new SoakReport.Check("the live heap shows no upward trend", liveHeap.passed(), liveHeap.detail()));
        long invalidReloads = injected.getOrDefault(Faults.Kind.INVALID_RELOAD.label(), 0L);
        boolean logOk = log.unexpectedTotal() == 0 && log.rejectedReloadLines() >= invalidReloads;
        checks.add(new SoakReport.Check("no unexpected lines in dicomlb's log", logOk,
                log.unexpectedTotal() + " unexpected" + (log.unexpected().isEmpty() ? "" : ", first: " + log.unexpected().getFirst())
                        + "; " + log.rejectedReloadLines() + " rejected-reload lines for " + invalidReloads + " invalid reloads"));
        List<String> notInjected = injected.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
        checks.add(new SoakReport.Check("faults injected and answered as documented",
                faults.problemTotal() == 0 && notInjected.isEmpty(),
                injected + (notInjected.isEmpty() ? "" : "; never injected: " + notInjected)
                        + (faults.problemTotal() == 0 ? "" : "; " + faults.problemTotal() + " problems: " + faults.problems())));
        List<String> idleKinds = clients.stream().filter(c -> c.succeeded() == 0).map(ClientCounts::name).toList();
        checks.add(new SoakReport.Check("every kind of load ran", idleKinds.isEmpty() && generatorErrors.isEmpty(),
                (idleKinds.isEmpty() ? "each kind succeeded" : "never succeeded: " + idleKinds)
                        + (generatorErrors.isEmpty() ? "" : "; load generators failed: " + List.copyOf(generatorErrors))));
        String died = sampler.stoppedBecause();
        checks.add(new SoakReport.Check("dicomlb ran throughout and its backends recovered",
                aliveAfterLoad && died.isEmpty() && recovery.isEmpty(),
                !died.isEmpty() ? died : !recovery.isEmpty() ? recovery : "alive; every backend up and ready after the load"));

        boolean pass = checks.stream().allMatch(SoakReport.Check::passed);
        SoakReport report = new SoakReport(pass ? "pass" : "fail", checks, settingsMap(), loadSeconds,
                (System.nanoTime() - began) / 1e9, clients, ic, floods.count(), injected, faults.problems(), rss, fds, liveHeap,
                log, machine);
        ReportWriter.write(report, samples, out);
        return report;
    }

    /** The two live-heap readings, each taken when no idle flood is open (a flood's connections are meant to be there). */
    private final class HeapProbe {
        private static final Duration FLOOD_WAIT = Duration.ofSeconds(30);
        private final Server dicomlb;
        private final FloodWindows floods;
        private final long loadStart;
        private volatile long earlyKib = -1;
        private volatile double earlyAt;
        private volatile long lateKib = -1;
        private volatile double lateAt;
        private volatile String failure = "";

        HeapProbe(Server dicomlb, FloodWindows floods, long loadStart) {
            this.dicomlb = dicomlb;
            this.floods = floods;
            this.loadStart = loadStart;
        }

        void run(long early, long late, long deadline) throws InterruptedException {
            try {
                awaitQuiet(early, early + FLOOD_WAIT.toNanos());
                earlyAt = (System.nanoTime() - loadStart) / 1e9;
                earlyKib = LiveHeap.kib(children, dicomlb.pid(), scratch.resolve("jcmd"));
                timeline.event("live heap after a full collection: " + earlyKib + " KiB");
                awaitQuiet(Math.max(late, System.nanoTime()), deadline);
                lateAt = (System.nanoTime() - loadStart) / 1e9;
                lateKib = LiveHeap.kib(children, dicomlb.pid(), scratch.resolve("jcmd"));
                timeline.event("live heap after a full collection: " + lateKib + " KiB");
            } catch (IOException | RuntimeException e) {
                failure = "the live heap could not be read: " + e.getMessage();
            }
        }

        /** Sleeps until {@code from}, then until no flood was open for a second and a half, or {@code until}. */
        private void awaitQuiet(long from, long until) throws InterruptedException {
            Thread.sleep(Math.max(0, (from - System.nanoTime()) / 1_000_000));
            while (System.nanoTime() - until < 0 && floods.touches(System.nanoTime() - 1_500_000_000L, System.nanoTime())) {
                Thread.sleep(100);
            }
        }

        LiveHeap.Check check() {
            if (!failure.isEmpty()) {
                return LiveHeap.Check.failed(failure);
            }
            if (earlyKib < 0 || lateKib < 0) {
                return LiveHeap.Check.failed("the live heap was not read twice (dicomlb gone?)");
            }
            return LiveHeap.Check.judge(earlyKib, earlyAt, lateKib, lateAt, HEAP_SLACK_KIB, HEAP_FRACTION);
        }
    }

    /** Sweeps the backends' directories while the load runs and prints progress now and then. */
    private void sweep(Delivery delivery, long deadline, Tally stores, Tally echoes, Tally halfClose, Tally idle,
                       Sampler sampler) throws IOException, InterruptedException {
        long nextProgress = System.nanoTime() + PROGRESS_INTERVAL.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(Math.max(1, Math.min(SWEEP_INTERVAL.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
            delivery.sweep();
            if (System.nanoTime() - nextProgress >= 0) {
                nextProgress += PROGRESS_INTERVAL.toNanos();
                List<Sample> s = sampler.samples();
                String last = s.isEmpty() ? "" : String.format(Locale.ROOT, "; dicomlb RSS %d MiB, %d fds",
                        s.getLast().rssKib() / 1024, s.getLast().descriptors());
                timeline.event(delivery.confirmedTotal() + " instances stored; ok/failed/hung: storescu "
                        + brief(stores) + ", C-ECHO " + brief(echoes) + ", half-close " + brief(halfClose) + ", idle "
                        + brief(idle) + last);
            }
        }
    }

    private static String brief(Tally t) {
        ClientCounts c = t.counts();
        return c.succeeded() + "/" + c.failed() + "/" + c.hung();
    }

    /** Waits until every backend is up and ready; fails saying which is not. */
    private void awaitBackends(AdminClient admin, Duration timeout, String when) throws IOException, InterruptedException {
        String problem = awaitUpAndReady(admin, timeout);
        if (!problem.isEmpty()) {
            throw new IOException("dicomlb's backends are not all up and ready " + when + ": " + problem);
        }
    }

    /** Empty when every backend came back up and ready after the load, else what is not. */
    private String recovered(AdminClient admin) throws InterruptedException {
        try {
            String p = awaitUpAndReady(admin, RECOVERY_TIMEOUT);
            return p.isEmpty() ? "" : "not up and ready " + RECOVERY_TIMEOUT.toSeconds() + " s after the load: " + p;
        } catch (IOException e) {
            return "the admin API did not answer after the load: " + e.getMessage();
        }
    }

    private static String awaitUpAndReady(AdminClient admin, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last;
        do {
            try {
                AdminClient.Answer a = admin.status();
                Map<String, String> health = AdminClient.health(a.body());
                List<String> bad = health.entrySet().stream().filter(e -> !e.getValue().equals("up,ready"))
                        .map(e -> e.getKey() + " " + e.getValue()).toList();
                if (a.status() == 200 && health.size() == SoakConfig.backendNames().size() && bad.isEmpty()) {
                    return "";
                }
                last = a.status() != 200 ? "status answered " + a.status() : bad.isEmpty() ? "backends " + health.keySet() : bad.toString();
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(200);
        } while (System.nanoTime() - deadline < 0);
        return last;
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Starts a load generator; an exception ends it and is reported (the run then fails "every kind of load ran"). */
    private Thread generator(String name, Body body) {
        return Thread.ofPlatform().name("soak-" + name).start(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                generatorErrors.add(name + ": interrupted");
            } catch (Exception | Error e) {
                generatorErrors.add(name + ": " + e);
                timeline.event("load generator " + name + " failed: " + e);
            }
        });
    }

    private static boolean join(Thread t, long byNanos) throws InterruptedException {
        long left = byNanos - System.nanoTime();
        if (left > 0) {
            t.join(Duration.ofNanos(left));
        }
        return !t.isAlive();
    }

    private Map<String, String> settingsMap() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("duration", Durations.format(settings.duration()));
        s.put("warm-up", Durations.format(settings.warmUp().truncatedTo(ChronoUnit.SECONDS)));
        s.put("storescu", settings.storeStreams() + " loops × " + settings.instancesPerAssociation() + " instances per association");
        s.put("C-ECHO storms", settings.echoConcurrency() + " in flight for " + Durations.format(settings.echoBurst())
                + ", every " + Durations.format(settings.echoBurst().plus(settings.echoPause())));
        s.put("idle floods", settings.idleConnections() + " connections held " + Durations.format(settings.idleHold())
                + ", pause " + Durations.format(settings.idlePause()));
        s.put("half-close clients", settings.halfCloseClients() + " loops, " + HalfCloseClients.PAYLOAD + " bytes each");
        s.put("faults", "one every " + Durations.format(settings.faultPause()) + " after the last; restart after "
                + Durations.format(settings.restartDelay()) + ", drain held " + Durations.format(settings.drainHold()));
        s.put("dicomlb", start.describe());
        return s;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
