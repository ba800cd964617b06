package org.dicomlb.harness.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The faults, one at a time on a fixed rotation with a pause between them, until the deadline:
 * a storescp killed with SIGKILL and restarted on its port a few seconds later; a valid reload
 * (one backend's weight changed, {@code POST /api/v1/reload} answers 200 and the status shows the
 * new weight); an invalid reload (a broken file: 422, the status unchanged, then the good file
 * written back); a backend drained, then made ready again, through the admin API.
 *
 * <p>Every answer dicomlb gives is checked against docs/operations.md; one that differs is a
 * <em>problem</em> and fails the soak. A fault under way at the deadline is finished, so no backend
 * is left dead or drained.
 */
final class Faults {
    enum Kind {
        BACKEND_KILLED, VALID_RELOAD, INVALID_RELOAD, DRAIN_READY;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final int MAX_PROBLEMS = 20;

    private final Path configFile;
    private final AdminClient admin;
    private final List<StoreScpBackend> storescps;
    private final SoakSettings settings;
    private final Timeline timeline;
    private final Map<Kind, Long> injected = new EnumMap<>(Kind.class);
    private final List<String> problems = new ArrayList<>();
    private long problemTotal;
    private volatile SoakConfig config;

    Faults(SoakConfig config, Path configFile, AdminClient admin, List<StoreScpBackend> storescps, SoakSettings settings,
           Timeline timeline) {
        this.config = config;
        this.configFile = configFile;
        this.admin = admin;
        this.storescps = List.copyOf(storescps);
        this.settings = settings;
        this.timeline = timeline;
        for (Kind k : Kind.values()) {
            injected.put(k, 0L);
        }
    }

    /** Writes a configuration file the way an editor's "save" does: whole, then renamed into place. */
    static void write(Path file, String yaml) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    void runUntil(long deadline) throws InterruptedException {
        int n = 0;
        while (true) {
            Thread.sleep(Math.max(0, Math.min(settings.faultPause().toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
            if (System.nanoTime() - deadline >= 0) {
                return;
            }
            Kind kind = Kind.values()[n % Kind.values().length];
            int round = n / Kind.values().length;
            try {
                switch (kind) {
                    case BACKEND_KILLED -> killAndRestart(storescps.get(round % storescps.size()));
                    case VALID_RELOAD -> validReload(SoakConfig.backendNames().get(round % SoakConfig.backendNames().size()));
                    case INVALID_RELOAD -> invalidReload(round);
                    case DRAIN_READY -> drainThenReady(SoakConfig.backendNames().get((round + 1) % SoakConfig.backendNames().size()));
                }
            } catch (IOException e) {
                problem(kind, "failed: " + e);
            }
            synchronized (this) {
                injected.merge(kind, 1L, Long::sum);
            }
            n++;
        }
    }

    private void killAndRestart(StoreScpBackend scp) throws IOException, InterruptedException {
        long pid = scp.kill();
        timeline.event("fault: SIGKILL to storescp " + scp.name() + " (pid " + pid + ") and its association children");
        Thread.sleep(settings.restartDelay().toMillis());
        scp.start();
        timeline.event("fault: storescp " + scp.name() + " restarted on its port after " + settings.restartDelay().toSeconds() + " s");
    }

    private void validReload(String backend) throws IOException, InterruptedException {
        int weight = config.weights().get(backend) == 1 ? 3 : 1;
        SoakConfig next = config.withWeight(backend, weight);
        write(configFile, next.yaml());
        AdminClient.Answer a = admin.reload();
        String key = SoakConfig.poolOf(backend) + "/" + backend;
        if (a.status() != 200 || !a.body().path("applied").asBoolean(false)) {
            problem(Kind.VALID_RELOAD, "a valid file (" + key + " weight " + weight + ") answered " + a.status() + " " + a.text());
            write(configFile, config.yaml());
            return;
        }
        config = next;
        Integer seen = AdminClient.weights(admin.status().body()).get(key);
        if (seen == null || seen != weight) {
            problem(Kind.VALID_RELOAD, "after the reload the status shows " + key + " weight " + seen + ", not " + weight);
        }
        timeline.event("fault: valid reload, " + key + " weight " + weight + " -> 200");
    }

    private void invalidReload(int variant) throws IOException, InterruptedException {
        JsonNode before = admin.status().body();
        SoakConfig.Broken broken = config.broken(variant);
        write(configFile, broken.yaml());
        AdminClient.Answer a;
        try {
            a = admin.reload();
        } finally {
            // Restored whatever the answer: the file on disk is what the next reload reads.
            write(configFile, config.yaml());
        }
        if (a.status() != 422 || a.body().path("applied").asBoolean(true) || a.body().path("errors").isEmpty()) {
            problem(Kind.INVALID_RELOAD, "a broken file (" + broken.kind() + ") answered " + a.status() + " " + a.text());
            return;
        }
        JsonNode after = admin.status().body();
        if (!AdminClient.weights(before).equals(AdminClient.weights(after))
                || !before.path("listeners").toString().replaceAll("\"connections\":\\d+", "")
                .equals(after.path("listeners").toString().replaceAll("\"connections\":\\d+", ""))) {
            problem(Kind.INVALID_RELOAD, "a rejected reload (" + broken.kind() + ") changed the running configuration: "
                    + AdminClient.weights(before) + " -> " + AdminClient.weights(after));
        }
        timeline.event("fault: invalid reload (" + broken.kind() + ") -> 422, " + a.body().path("errors").get(0).asText());
    }

    private void drainThenReady(String backend) throws IOException, InterruptedException {
        String pool = SoakConfig.poolOf(backend);
        AdminClient.Answer drained = admin.setState(pool, backend, "drain");
        if (drained.status() != 200 || !drained.body().path("admin_state").asText().equals("drain")) {
            problem(Kind.DRAIN_READY, "drain " + pool + "/" + backend + " answered " + drained.status() + " " + drained.text());
        }
        timeline.event("fault: drained " + pool + "/" + backend);
        try {
            Thread.sleep(settings.drainHold().toMillis());
        } finally {
            AdminClient.Answer ready = admin.setState(pool, backend, "ready");
            if (ready.status() != 200 || !ready.body().path("admin_state").asText().equals("ready")) {
                problem(Kind.DRAIN_READY, "ready " + pool + "/" + backend + " answered " + ready.status() + " " + ready.text());
            }
        }
        timeline.event("fault: " + pool + "/" + backend + " ready again after " + settings.drainHold().toSeconds() + " s");
    }

    private synchronized void problem(Kind kind, String what) {
        problemTotal++;
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(kind.label() + ": " + what);
        }
        timeline.event("PROBLEM " + kind.label() + ": " + what);
    }

    /** Faults injected so far, by kind label. */
    synchronized Map<String, Long> injected() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        injected.forEach((k, v) -> out.put(k.label(), v));
        return out;
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    synchronized long problemTotal() {
        return problemTotal;
    }

    /** The configuration dicomlb runs now (after the valid reloads so far). */
    synchronized SoakConfig config() {
        return config;
    }
}
