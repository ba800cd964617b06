package org.dicomlb.harness.drill;

import static org.dicomlb.harness.drill.Network.A;
import static org.dicomlb.harness.drill.Network.B;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.drill.DrillReport.Check;
import org.dicomlb.harness.drill.DrillReport.ModalityFigures;
import org.dicomlb.harness.drill.DrillReport.ScenarioReport;
import org.dicomlb.harness.drill.Modality.Attempt;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.soak.DicomlbStart;
import org.dicomlb.harness.soak.Instances;

/**
 * One site-failure drill (docs/deployment.md): builds the two sites, the hospital core and the
 * router in network namespaces ({@link Network}), starts the archives, the hospital resolver and
 * the four appliances, lets both modalities stream throughout, runs the scenarios one after the
 * other, then checks both archives for every instance that got a success status.
 *
 * <p>Each scenario: the fault; both modalities' next successful association; the fault standing
 * for {@link DrillSettings#hold()}; then, where the scenario has one, the repair and, when the
 * GSLBs hold site A, {@link DrillSettings#observe()} of traffic staying away from it before
 * {@code dicomlb gslb failback} on every appliance sends it back.
 */
public final class Drill {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration VIP_TIMEOUT = Duration.ofSeconds(10);
    private static final String UP_ELIGIBLE = "up/eligible";
    private static final String UP_HELD = "up/held";

    private final DrillSettings settings;
    private final DicomlbStart dicomlb;
    private final Path out;
    private final Netns lab;
    private final Events events;
    private final Archive archiveA;
    private final Archive archiveB;
    private final Resolver resolver;
    private final List<Appliance> appliances = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<Run> runs = new ArrayList<>();
    /** Every change of a VIP's holders the watcher saw: (when, what). */
    private final List<Map.Entry<Long, String>> vipMoves = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean watching;
    private Modality legacy;
    private Modality dnsAware;

    /** A scenario under way: its clock marks and what was seen. */
    private static final class Run {
        final Scenario scenario;
        final long t0 = System.nanoTime();
        long end;
        final List<String> observations = new ArrayList<>();

        Run(Scenario scenario) {
            this.scenario = scenario;
        }
    }

    private Drill(DrillSettings settings, DicomlbStart dicomlb, Path out, Netns lab, Events events) throws IOException {
        this.settings = settings;
        this.dicomlb = dicomlb;
        this.out = out;
        this.lab = lab;
        this.events = events;
        this.archiveA = new Archive.StoreScpArchive(lab, A, out);
        this.archiveB = new Archive.OrthancArchive(lab, B, out);
        this.resolver = new Resolver(lab, out);
        for (Network.Site s : Network.SITES) {
            appliances.add(new Appliance(lab, dicomlb, s, s.lb1Role(), s.lb1(), ApplianceConfig.PRIMARY_PRIORITY, out));
            appliances.add(new Appliance(lab, dicomlb, s, s.lb2Role(), s.lb2(), ApplianceConfig.SECONDARY_PRIORITY, out));
        }
    }

    /**
     * Runs a drill; its configurations, logs and timeline go to {@code out}. Returns the report,
     * whose checks say whether it passed.
     *
     * @throws IOException when the drill could not run at all (a peer or an appliance would not
     *                     start, the sites never settled): that is no verdict
     */
    public static DrillReport run(DrillSettings settings, DicomlbStart dicomlb, Path out, PrintStream progress)
            throws IOException, InterruptedException {
        checkTools();
        Files.createDirectories(out);
        try (Netns lab = new Netns(out.resolve("scratch")); Events events = new Events(out.resolve("timeline.log"), progress)) {
            events.event("namespaces " + lab.prefix() + "-*; dicomlb: " + dicomlb.describe());
            return new Drill(settings, dicomlb, out, lab, events).execute();
        }
    }

    /**
     * Every tool the drill runs, found before anything is built, or an IllegalStateException that
     * names the missing one and {@code scripts/install-test-deps.sh}.
     */
    static void checkTools() {
        Binaries.find("ip", "iproute2");
        Binaries.find("sysctl", "procps");
        Binaries.find("dig", "bind9-dnsutils");
        Binaries.find("curl", "curl");
        Binaries.find("keepalived", "keepalived");
        Binaries.find("unbound", "unbound");
        Binaries.find("Orthanc", "orthanc");
        Binaries.find("storescp", "dcmtk");
        Binaries.find("storescu", "dcmtk");
        Binaries.find("dump2dcm", "dcmtk");
    }

    private DrillReport execute() throws IOException, InterruptedException {
        setUp();
        Instances instances = Instances.create(lab.children(), out.resolve("scratch").resolve("template"),
                Instant.now().getEpochSecond());
        legacy = Modality.legacy("legacy", Network.LEGACY_ROLE, "LEGACY_CT", A.vip(), lab, instances,
                settings.perAssociation(), out.resolve("scratch"));
        dnsAware = Modality.dnsAware("dns-aware", Network.DNS_MODALITY_ROLE, "DNSAWARE_MR", lab, instances,
                settings.perAssociation(), out.resolve("scratch"));
        long began = System.nanoTime();
        watching = true;
        Thread vipWatch = Thread.ofPlatform().daemon().name("drill-vip-watch").start(this::watchVips);
        legacy.start();
        dnsAware.start();
        try {
            waitFor(SETTLE_TIMEOUT, "both modalities storing", () -> successesSince(legacy, began) >= 2
                    && successesSince(dnsAware, began) >= 2);
            events.event("both modalities are storing: legacy to " + A.vip() + ", dns-aware to whatever "
                    + Network.NAME + " answers");
            for (Scenario s : settings.scenarios()) {
                Run run = new Run(s);
                runs.add(run);
                events.event("scenario " + s.number + ": " + s.title);
                switch (s) {
                    case ARCHIVE_KILLED -> archiveKilled(run);
                    case MASTER_KILLED -> masterKilled(run);
                    case APPLIANCE_LOST -> applianceLost(run);
                    case SITES_LINK_CUT -> sitesLinkCut(run);
                    case SITE_CUT_OFF -> siteCutOff(run);
                    case SITE_BACK -> siteBack(run);
                }
                run.end = System.nanoTime();
            }
        } finally {
            watching = false;
            vipWatch.join(5_000);
            legacy.stop();
            dnsAware.stop();
        }
        events.event("modalities stopped; asking both archives for every instance that got a success status");
        return report();
    }

    // ---- set-up ----------------------------------------------------------------------------------

    private void setUp() throws IOException, InterruptedException {
        Network.build(lab);
        events.event("network built: site A 10.1.0.0/24, site B 10.2.0.0/24, hospital core 10.0.0.0/24, router between");
        archiveA.start();
        archiveB.start();
        events.event("archives up: " + archiveA.product() + " at site A, " + archiveB.product() + " at site B");
        resolver.start();
        events.event("hospital resolver (Unbound) up at " + Network.RESOLVER);
        for (Appliance a : appliances) {
            a.start();
        }
        for (Appliance a : appliances) {
            a.awaitRunning(START_TIMEOUT);
        }
        events.event("four appliances running");
        for (Network.Site s : Network.SITES) {
            waitFor(SETTLE_TIMEOUT, "exactly one appliance of " + s.label() + " to hold its VIP", () -> holders(s).size() == 1);
        }
        waitFor(SETTLE_TIMEOUT, () -> "every GSLB to see both sites up: " + gslbViews(), () -> gslbsSee(UP_ELIGIBLE, UP_HELD));
        if (!gslbsSee(UP_ELIGIBLE)) {
            // A GSLB whose first probe of a member failed (the other appliances were still starting)
            // holds it, as documented: a cold start of both sites ends with the operator's failback.
            events.event("GSLBs holding a site after the cold start: " + gslbViews());
            events.event("dicomlb gslb failback " + Network.NAME + " on every appliance: "
                    + String.join("; ", failbackEverywhere(appliances)));
            waitFor(SETTLE_TIMEOUT, () -> "every GSLB to answer both sites: " + gslbViews(), () -> gslbsSee(UP_ELIGIBLE));
        }
        waitFor(SETTLE_TIMEOUT, "the hospital resolver to answer site A to the core", () -> A.vip().equals(resolveFromCore()));
        events.event("settled: VIP A on " + holders(A) + ", VIP B on " + holders(B) + "; every GSLB sees both sites up; "
                + Network.NAME + " answers " + A.vip() + " (site A) to the hospital core");
    }

    /**
     * Samples both VIPs' holders every 50 ms (each appliance namespace's FIB, read through its
     * anchor) and puts every change on the timeline: a VIP that moves where no scenario moved it
     * (a health check that timed out on a loaded machine, a tracked pool gone empty) shows here.
     */
    private void watchVips() {
        Map<Network.Site, String> last = new LinkedHashMap<>();
        while (watching) {
            try {
                for (Network.Site s : Network.SITES) {
                    String now = holders(s).stream().map(a -> a.role).toList().toString();
                    String before = last.put(s, now);
                    if (before != null && !before.equals(now)) {
                        String move = "VIP " + s.id().toUpperCase(Locale.ROOT) + ": " + before + " -> " + now;
                        vipMoves.add(Map.entry(System.nanoTime(), move));
                        events.event(move);
                    }
                }
                Thread.sleep(50);
            } catch (IOException notNow) {
                // a namespace being torn down: the next sample decides
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---- scenarios -------------------------------------------------------------------------------

    /** Scenario 1: site A's archive is killed; later it comes back and the GSLBs are failed back by hand. */
    private void archiveKilled(Run run) throws IOException, InterruptedException {
        archiveA.kill();
        events.event("storescp at site A killed (SIGKILL, with its per-association children)");
        Appliance master = holders(A).isEmpty() ? appliance("a1") : holders(A).getFirst();
        long resolved = waitOrNever(settings.recovery(), () -> otherSiteAddress(master).startsWith(B.vip() + ":"));
        run.observations.add(resolved < 0
                ? "site A's dns backend (on " + master.role + ") never resolved to site B"
                : "site A's dns backend (on %s) resolved to site B %s after the kill".formatted(master.role, secs(resolved - run.t0)));
        awaitRecovery(run, legacy, null);
        awaitRecovery(run, dnsAware, B.vip());
        Thread.sleep(settings.hold().toMillis());
        long restored = System.nanoTime();
        archiveA.start();
        events.event("storescp at site A started again");
        failBack(run, restored, List.of(A.member()), appliances, true);
    }

    /** Scenario 2: dicomlb on the appliance holding site A's VIP is SIGKILLed; it comes back as backup. */
    private void masterKilled(Run run) throws IOException, InterruptedException {
        List<Appliance> held = holders(A);
        if (held.size() != 1) {
            throw new IOException("site A's VIP is on " + held + ", not on exactly one appliance");
        }
        Appliance master = held.getFirst();
        Appliance peer = master == appliance("a1") ? appliance("a2") : appliance("a1");
        long killed = System.nanoTime();
        master.kill();
        events.event("dicomlb on " + master.role + " (the master) SIGKILLed");
        long moved = waitOrNever(VIP_TIMEOUT, peer::holdsVip, 5);
        boolean vipMoved = moved >= 0;
        run.observations.add(vipMoved ? "the VIP was on %s %d ms after the kill".formatted(peer.role, (moved - killed) / 1_000_000)
                : "the VIP did not move to " + peer.role + " within " + VIP_TIMEOUT.toSeconds() + " s");
        checks.add(new Check(2, "site A's VIP moved to the peer", vipMoved,
                vipMoved ? "%s held it %d ms after the kill".formatted(peer.role, (moved - killed) / 1_000_000)
                        : "still not on " + peer.role + " after " + VIP_TIMEOUT.toSeconds() + " s; holders: " + holders(A)));
        awaitRecovery(run, legacy, null);
        awaitRecovery(run, dnsAware, null);
        Thread.sleep(settings.hold().toMillis());
        master.start();
        master.awaitRunning(START_TIMEOUT);
        waitOrFail(run, SETTLE_TIMEOUT, "restarted " + master.role + " runs as backup and serves", () -> {
            JsonNode vip = master.status() == null ? null : master.status().path("vip");
            return vip != null && vip.path("state").asText().equalsIgnoreCase("BACKUP") && vip.path("serving").asBoolean();
        });
        events.event(master.role + " restarted: backup, VIP stays on " + holders(A));
        // The takeover lasts well under the GSLB checks' fall (3 x 250 ms fast probes after a miss):
        // no GSLB should have seen site A down and held it. The restarted appliance's own GSLB may
        // still be starting its checks ("starting/eligible"): it answers site A, so it holds nothing.
        List<String> holding = new ArrayList<>();
        for (Appliance a : appliances) {
            String view = a.gslbMember(a.status(), A.member());
            if (!view.endsWith("/eligible")) {
                holding.add(a.role + ": " + view);
            }
        }
        checks.add(new Check(2, "no GSLB took site A out of DNS for the takeover", holding.isEmpty(),
                holding.isEmpty() ? "site-a up/eligible on every GSLB" : String.join(", ", holding)));
        if (!holding.isEmpty()) {
            failBack(run, System.nanoTime(), List.of(A.member()), appliances, true);
        }
    }

    /**
     * Scenario 3: the appliance holding site A's VIP loses power: link down, dicomlb and keepalived
     * dead at once, so its peer hears no advert (not even keepalived's priority 0 goodbye) and takes
     * the VIP when VRRP's master-down timer runs out. Then the power comes back.
     */
    private void applianceLost(Run run) throws IOException, InterruptedException {
        List<Appliance> held = holders(A);
        if (held.size() != 1) {
            throw new IOException("site A's VIP is on " + held + ", not on exactly one appliance");
        }
        Appliance master = held.getFirst();
        Appliance peer = master == appliance("a1") ? appliance("a2") : appliance("a1");
        // Watched from before the cut: the power-off itself takes a while (waiting for every process
        // to be gone), and the takeover must be timed from the cut, not from that wait's end.
        long cut = System.nanoTime();
        CompletableFuture<Long> takeover = new CompletableFuture<>();
        Thread.ofVirtual().name("drill-vip-watch").start(() -> {
            try {
                takeover.complete(waitOrNever(VIP_TIMEOUT, peer::holdsVip, 5));
            } catch (InterruptedException e) {
                takeover.complete(-1L);
            }
        });
        int killed = master.powerOff();
        events.event(master.role + " (the master) lost power: link down, " + killed + " processes SIGKILLed");
        long moved = takeover.join();
        boolean vipMoved = moved >= 0;
        run.observations.add(vipMoved ? "the VIP was on %s %d ms after the power cut".formatted(peer.role, (moved - cut) / 1_000_000)
                : "the VIP did not move to " + peer.role + " within " + VIP_TIMEOUT.toSeconds() + " s");
        checks.add(new Check(run.scenario.number, "site A's VIP moved to the peer", vipMoved,
                vipMoved ? "%s held it %d ms after the power cut".formatted(peer.role, (moved - cut) / 1_000_000)
                        : "still not on " + peer.role + " after " + VIP_TIMEOUT.toSeconds() + " s; holders: " + holders(A)));
        awaitRecovery(run, legacy, null);
        awaitRecovery(run, dnsAware, null);
        Thread.sleep(settings.hold().toMillis());
        master.powerOn();
        master.awaitRunning(START_TIMEOUT);
        waitOrFail(run, SETTLE_TIMEOUT, "the powered-on " + master.role + " runs as backup and serves", () -> {
            JsonNode vip = master.status() == null ? null : master.status().path("vip");
            return vip != null && vip.path("state").asText().equalsIgnoreCase("BACKUP") && vip.path("serving").asBoolean();
        });
        List<Appliance> after = holders(A);
        checks.add(new Check(run.scenario.number, "the VIP stays on the peer when the lost appliance is back (preempt off)",
                after.equals(List.of(peer)), "holders: " + after));
        events.event(master.role + " powered on: backup, VIP on " + after);
        releaseHeld(run);
    }

    /**
     * Scenario 4: the link between the sites is cut; the hospital core still reaches both. Each
     * site's GSLBs see the other site fail and hold it; both archives serve, so both modalities go
     * on storing. After the repair the operator fails back on every appliance.
     */
    private void sitesLinkCut(Run run) throws IOException, InterruptedException {
        Network.cutBetweenSites(lab);
        events.event("link between the sites cut at the router (10.1.0.0/24 <-> 10.2.0.0/24 blackholed)");
        awaitRecovery(run, legacy, null);
        awaitRecovery(run, dnsAware, null);
        waitOrNever(settings.recovery(), () -> {
            for (Appliance a : appliances) {
                Network.Site other = a.site == A ? B : A;
                if (!a.gslbMember(a.status(), other.member()).startsWith("down/")) {
                    return false;
                }
            }
            return true;
        });
        Thread.sleep(settings.hold().toMillis());
        String views = gslbViews();
        run.observations.add("GSLB views during the cut: " + views);
        run.observations.add("GSLB answers to the core during the cut: " + gslbAnswers());
        List<String> wrong = new ArrayList<>();
        for (Appliance a : appliances) {
            JsonNode st = a.status();
            Network.Site other = a.site == A ? B : A;
            if (!a.gslbMember(st, a.site.member()).startsWith("up/") || !a.gslbMember(st, other.member()).startsWith("down/")) {
                wrong.add(a.role + " " + a.site.member() + " " + a.gslbMember(st, a.site.member()) + " " + other.member() + " "
                        + a.gslbMember(st, other.member()));
            }
        }
        checks.add(new Check(run.scenario.number, "each GSLB sees its own site up and the other down", wrong.isEmpty(),
                wrong.isEmpty() ? views : String.join("; ", wrong)));
        Network.reconnectSites(lab);
        events.event("link between the sites repaired");
        waitOrFail(run, settings.recovery(), () -> "every GSLB to see both sites up again: " + gslbViews(),
                () -> gslbsSee(UP_ELIGIBLE, UP_HELD));
        run.observations.add("after the repair, before the failback: " + gslbViews());
        releaseHeld(run);
    }

    /** Scenario 3: the router drops everything to and from site A. */
    private void siteCutOff(Run run) throws IOException, InterruptedException {
        Network.cut(lab, A);
        events.event("site A cut off at the router (10.1.0.0/24 blackholed both ways)");
        awaitRecovery(run, legacy, null);
        awaitRecovery(run, dnsAware, B.vip());
        Thread.sleep(settings.hold().toMillis());
        run.observations.add("GSLB answers to the core during the cut: " + gslbAnswers());
    }

    /** Scenario 4: site A is reachable again; the GSLBs hold it until the failback. */
    private void siteBack(Run run) throws IOException, InterruptedException {
        Network.reconnect(lab, A);
        events.event("site A reconnected at the router");
        awaitRecovery(run, legacy, null);
        awaitRecovery(run, dnsAware, null);
        // Cut off with site A, a1 and a2 saw site B fail (and hold it); site A never failed for them,
        // so they answer site A again at once. Only the GSLBs that saw site A fail (site B's) can
        // keep the name on site B until the failback: that is what is checked; how many of the
        // DNS-aware modality's associations still went to site A (through a1 and a2) is reported.
        failBack(run, run.t0, List.of(A.member(), B.member()), List.of(appliance("b1"), appliance("b2")), false);
    }

    /**
     * Every GSLB that holds a member (seen down, up again) is failed back by the operator, and the
     * drill waits until every GSLB answers both sites again.
     */
    private void releaseHeld(Run run) throws IOException, InterruptedException {
        if (gslbsSee(UP_ELIGIBLE)) {
            return;
        }
        run.observations.add("held before the failback: " + gslbViews());
        events.event("dicomlb gslb failback " + Network.NAME + " on every appliance: " + String.join("; ", failbackEverywhere(appliances)));
        waitOrFail(run, SETTLE_TIMEOUT, () -> "every GSLB to answer both sites after the failback: " + gslbViews(),
                () -> gslbsSee(UP_ELIGIBLE));
    }

    // ---- phases ----------------------------------------------------------------------------------

    /**
     * A site is repaired at {@code restored}: waits until every GSLB sees every member up again
     * (the ones they held: held), watches the DNS-aware modality stay off site A for
     * {@link DrillSettings#observe()}, runs {@code dicomlb gslb failback} on every appliance and
     * waits for the DNS-aware modality's next association to succeed at site A.
     */
    private void failBack(Run run, long restored, List<String> members, List<Appliance> gslbs, boolean modalityStaysOnB)
            throws IOException, InterruptedException {
        waitOrFail(run, settings.recovery(), () -> "every GSLB to see " + members + " up again: " + gslbViews(), () -> {
            for (Appliance a : appliances) {
                JsonNode st = a.status();
                for (String m : members) {
                    if (!a.gslbMember(st, m).startsWith("up/")) {
                        return false;
                    }
                }
            }
            return true;
        });
        Thread.sleep(settings.observe().toMillis());
        String views = gslbViews();
        String answers = gslbAnswers();
        run.observations.add("before the failback, GSLB views: " + views);
        run.observations.add("before the failback, GSLB answers to the core: " + answers);
        boolean allB = gslbs.stream().allMatch(a -> answers.contains(a.role + " " + B.vip()));
        String who = gslbs.size() == appliances.size() ? "every GSLB answers"
                : "the GSLBs that saw site A fail (" + String.join(", ", gslbs.stream().map(a -> a.role).toList()) + ") answer";
        checks.add(new Check(run.scenario.number, who + " site B to the core until the failback", allB, answers));
        long failback = System.nanoTime();
        List<String> results = failbackEverywhere(appliances);
        long commandsDone = System.nanoTime();
        events.event("dicomlb gslb failback " + Network.NAME + " on every appliance: " + String.join("; ", results));
        run.observations.add("the four `dicomlb gslb failback` commands (a JVM each, run at once) took " + secs(commandsDone - failback));
        List<Attempt> early = dnsAware.attempts().stream()
                .filter(at -> at.startedNanos() >= restored && at.startedNanos() < failback && A.vip().equals(at.target()))
                .toList();
        long before = dnsAware.attempts().stream()
                .filter(at -> at.startedNanos() >= restored && at.startedNanos() < failback).count();
        String early1 = "%d of its %d associations between the repair and the failback went to site A".formatted(early.size(), before);
        if (modalityStaysOnB) {
            checks.add(new Check(run.scenario.number, "the DNS-aware modality stayed on site B until the failback", early.isEmpty(),
                    early1));
        } else {
            run.observations.add("the DNS-aware modality before the failback: " + early1
                    + " (answered by site A's own GSLBs, which saw site B fail, not site A)");
        }
        long back = waitOrNever(settings.recovery(), () -> dnsAware.attempts().stream()
                .anyMatch(at -> at.startedNanos() >= failback && at.ok() && A.vip().equals(at.target())));
        if (back >= 0) {
            Attempt first = dnsAware.attempts().stream()
                    .filter(at -> at.startedNanos() >= failback && at.ok() && A.vip().equals(at.target())).findFirst().orElseThrow();
            run.observations.add(("the DNS-aware modality stored at site A again %s after the failback commands were started"
                    + " (its first association there started %s after them)").formatted(
                    secs(first.endedNanos() - failback), secs(first.startedNanos() - failback)));
        }
        checks.add(new Check(run.scenario.number, "after the failback the DNS-aware modality returns to site A", back >= 0,
                back >= 0 ? "yes" : "no association to site A within " + settings.recovery().toSeconds() + " s"));
    }

    /** {@code dicomlb gslb failback NAME} against every appliance's admin API, at once; each one's exit and words. */
    private List<String> failbackEverywhere(List<Appliance> gslbs) throws InterruptedException, IOException {
        try (ExecutorService pool = Executors.newFixedThreadPool(gslbs.size())) {
            List<Future<Children.Exit>> runs = new ArrayList<>();
            for (Appliance a : gslbs) {
                runs.add(pool.submit((Callable<Children.Exit>) () -> a.cli("gslb", "failback", Network.NAME)));
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < gslbs.size(); i++) {
                try {
                    Children.Exit e = runs.get(i).get();
                    out.add(gslbs.get(i).role + " exit " + e.code() + " " + (e.stdout() + e.stderr()).strip().replace('\n', ' '));
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException("dicomlb gslb failback on " + gslbs.get(i).role + " could not run", e.getCause());
                }
            }
            return out;
        }
    }

    /**
     * Waits for {@code m}'s first association started after the scenario's fault that stored
     * everything (and, when {@code at} is given, went to that address); the figure itself is
     * computed from the attempts in the report.
     */
    private void awaitRecovery(Run run, Modality m, String at) throws InterruptedException {
        long done = waitOrNever(settings.recovery(), () -> m.attempts().stream()
                .anyMatch(a -> a.startedNanos() >= run.t0 && a.ok() && (at == null || at.equals(a.target()))));
        String where = at == null ? "" : " at " + at;
        if (done < 0) {
            events.event(m.name + ": no successful association" + where + " within " + settings.recovery().toSeconds() + " s");
        } else {
            events.event(m.name + ": storing again" + where);
        }
        if (at != null) {
            checks.add(new Check(run.scenario.number, m.name + " modality reaches " + (at.equals(B.vip()) ? "site B" : at),
                    done >= 0, done >= 0 ? "after " + secs(done - run.t0)
                    : "not within " + settings.recovery().toSeconds() + " s"));
        }
    }

    // ---- views -----------------------------------------------------------------------------------

    private Appliance appliance(String role) {
        return appliances.stream().filter(a -> a.role.equals(role)).findFirst().orElseThrow();
    }

    private List<Appliance> holders(Network.Site s) throws IOException, InterruptedException {
        List<Appliance> h = new ArrayList<>();
        for (Appliance a : appliances) {
            if (a.site == s && a.holdsVip()) {
                h.add(a);
            }
        }
        return h;
    }

    /** Where site A's master's dns backend points now ({@code ip:port}), or "" when it has no address. */
    private static String otherSiteAddress(Appliance a) throws IOException, InterruptedException {
        JsonNode st = a.status();
        if (st == null) {
            return "";
        }
        for (JsonNode p : st.path("pools")) {
            if (p.path("name").asText().equals("imaging")) {
                for (JsonNode b : p.path("backends")) {
                    if (b.path("name").asText().equals("other-site")) {
                        return b.path("address").asText("");
                    }
                }
            }
        }
        return "";
    }

    /** Whether every GSLB sees both members in one of {@code views} ({@code up/eligible} ...). */
    private boolean gslbsSee(String... views) throws IOException, InterruptedException {
        List<String> ok = List.of(views);
        for (Appliance a : appliances) {
            JsonNode st = a.status();
            if (!ok.contains(a.gslbMember(st, A.member())) || !ok.contains(a.gslbMember(st, B.member()))) {
                return false;
            }
        }
        return true;
    }

    /** Every GSLB's view of both members, e.g. {@code a1 site-a up/held site-b up/eligible; ...}. */
    private String gslbViews() {
        List<String> v = new ArrayList<>();
        for (Appliance a : appliances) {
            try {
                JsonNode st = a.status();
                v.add(a.role + " " + A.member() + " " + a.gslbMember(st, A.member()) + " " + B.member() + " "
                        + a.gslbMember(st, B.member()));
            } catch (IOException e) {
                v.add(a.role + " ?");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                v.add(a.role + " ?");
            }
        }
        return String.join("; ", v);
    }

    /** What each GSLB answers a client of the hospital core, asked directly, e.g. {@code a1 10.2.0.10, ...}. */
    private String gslbAnswers() throws IOException, InterruptedException {
        List<String> v = new ArrayList<>();
        for (Appliance a : appliances) {
            v.add(a.role + " " + a.answerForCore());
        }
        return String.join(", ", v);
    }

    private String resolveFromCore() throws IOException, InterruptedException {
        Children.Exit e = lab.run(Network.DNS_MODALITY_ROLE, Duration.ofSeconds(10), List.of("dig", "+short", "+time=1",
                "+tries=1", "@" + Network.RESOLVER, Network.NAME, "A"));
        return e.stdout().strip();
    }

    private static long successesSince(Modality m, long since) {
        return m.attempts().stream().filter(a -> a.startedNanos() >= since && a.ok()).count();
    }

    // ---- waiting ---------------------------------------------------------------------------------

    interface Condition {
        boolean holds() throws IOException, InterruptedException;
    }

    /** Polls {@code c} (every 100 ms) until it holds; the time it did, or -1 after {@code within}. */
    private static long waitOrNever(Duration within, Condition c) throws InterruptedException {
        return waitOrNever(within, c, 100);
    }

    private static long waitOrNever(Duration within, Condition c, long pollMillis) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                if (c.holds()) {
                    return System.nanoTime();
                }
            } catch (IOException notYet) {
                // a status that could not be read is a "not yet"
            }
            if (System.nanoTime() > deadline) {
                return -1;
            }
            Thread.sleep(pollMillis);
        }
    }

    /** Set-up: the drill cannot go on without it. */
    private void waitFor(Duration within, String what, Condition c) throws IOException, InterruptedException {
        waitFor(within, () -> what, c);
    }

    private void waitFor(Duration within, java.util.function.Supplier<String> what, Condition c)
            throws IOException, InterruptedException {
        if (waitOrNever(within, c) < 0) {
            throw new IOException("not within " + within.toSeconds() + " s: " + what.get());
        }
    }

    /** A repair step: when it does not happen, that is a failed check, and the drill goes on. */
    private void waitOrFail(Run run, Duration within, String what, Condition c) throws InterruptedException {
        waitOrFail(run, within, () -> what, c);
    }

    private void waitOrFail(Run run, Duration within, java.util.function.Supplier<String> what, Condition c)
            throws InterruptedException {
        if (waitOrNever(within, c) < 0) {
            String w = what.get();
            events.event("not within " + within.toSeconds() + " s: " + w);
            checks.add(new Check(run.scenario.number, "repair: " + w, false, "not within " + within.toSeconds() + " s"));
        }
    }

    private static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    // ---- the report ------------------------------------------------------------------------------

    /** Every attempt of both modalities, one line each, to {@code attempts.csv}: what the table sums up. */
    private void writeAttempts(Set<String> atA, Set<String> atB) throws IOException {
        StringBuilder csv = new StringBuilder("modality,index,started_s,ended_s,target,kind,sent,success_status,at_a,at_b,detail\n");
        for (Modality m : List.of(legacy, dnsAware)) {
            for (Attempt a : m.attempts()) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%.3f,%.3f,%s,%s,%d,%d,%d,%d,\"%s\"%n", m.name, a.index(),
                        events.at(a.startedNanos()), events.at(a.endedNanos()), a.target() == null ? "" : a.target(), a.kind(),
                        a.sent().size(), a.stored().size(), a.stored().stream().filter(atA::contains).count(),
                        a.stored().stream().filter(atB::contains).count(), a.detail().replace('"', '\'')));
            }
        }
        Files.writeString(out.resolve("attempts.csv"), csv);
    }

    private DrillReport report() throws IOException, InterruptedException {
        Set<String> atA = archiveA.storedUids();
        Set<String> atB = archiveB.storedUids();
        List<ScenarioReport> scenarios = new ArrayList<>();
        long missingTotal = 0;
        long confirmedTotal = 0;
        for (Run run : runs) {
            List<ModalityFigures> figures = new ArrayList<>();
            for (Modality m : List.of(legacy, dnsAware)) {
                List<Attempt> window = m.attempts().stream()
                        .filter(a -> a.startedNanos() >= run.t0 && a.startedNanos() < run.end).toList();
                // A failure belongs to the scenario whose fault it met: the window it ended in (an
                // association under way when site A was cut off fails at its timeout, after the cut).
                List<Attempt> failedHere = m.attempts().stream()
                        .filter(a -> !a.ok() && a.endedNanos() >= run.t0 && a.endedNanos() < run.end).toList();
                Double next = m.attempts().stream().filter(a -> a.startedNanos() >= run.t0 && a.ok()).findFirst()
                        .map(a -> (a.endedNanos() - run.t0) / 1e9).orElse(null);
                Map<String, Integer> kinds = new TreeMap<>();
                failedHere.forEach(a -> kinds.merge(a.kind(), 1, Integer::sum));
                List<String> confirmed = window.stream().flatMap(a -> a.stored().stream()).toList();
                List<String> missing = confirmed.stream().filter(u -> !atA.contains(u) && !atB.contains(u)).toList();
                int inA = (int) confirmed.stream().filter(atA::contains).count();
                int inB = (int) confirmed.stream().filter(atB::contains).count();
                figures.add(new ModalityFigures(m.name, next, window.size(), failedHere.size(),
                        kinds, confirmed.size(), missing.size(), inA, inB, missing.stream().limit(10).toList()));
                missingTotal += missing.size();
                confirmedTotal += confirmed.size();
                checks.add(new Check(run.scenario.number, m.name + " modality's next association succeeds", next != null,
                        next != null ? String.format(Locale.ROOT, "after %.1f s", next)
                                : "none within the scenario (" + window.size() + " attempts, all failed)"));
            }
            if (run.scenario == Scenario.ARCHIVE_KILLED) {
                ModalityFigures leg = figures.getFirst();
                checks.add(new Check(1, "legacy modality reaches site B's archive through site A's dns backend", leg.atB() > 0,
                        leg.atB() + " of its instances are at site B"));
            }
            List<String> moves = vipMoves.stream().filter(e -> e.getKey() >= run.t0 && e.getKey() < run.end)
                    .map(e -> secs(e.getKey() - run.t0) + " " + e.getValue()).toList();
            run.observations.add(moves.isEmpty() ? "no VIP moved" : "VIP moves: " + String.join("; ", moves));
            scenarios.add(new ScenarioReport(run.scenario.number, run.scenario.title, events.at(run.t0),
                    (run.end - run.t0) / 1e9, figures, run.observations));
        }
        writeAttempts(atA, atB);
        List<Check> all = new ArrayList<>();
        all.add(new Check(0, "every instance that got a success status is in an archive", missingTotal == 0,
                "%d of %d missing (site A's %s holds %d instances, site B's %s %d)".formatted(missingTotal, confirmedTotal,
                        archiveA.product(), atA.size(), archiveB.product(), atB.size())));
        all.addAll(checks);
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("date", Instant.now().toString());
        machine.put("kernel", System.getProperty("os.version"));
        machine.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        try {
            machine.put("load average", Files.readString(Path.of("/proc/loadavg")).strip());
        } catch (IOException e) {
            machine.put("load average", "?");
        }
        machine.put("dicomlb", dicomlb.describe());
        String s = "hold %ds, observe %ds, recovery bound %ds, %d instances per association".formatted(
                settings.hold().toSeconds(), settings.observe().toSeconds(), settings.recovery().toSeconds(),
                settings.perAssociation());
        return new DrillReport(scenarios, all, machine, s);
    }
}
