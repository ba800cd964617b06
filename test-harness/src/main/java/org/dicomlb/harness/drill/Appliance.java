package org.dicomlb.harness.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.drill.Network.Site;
import org.dicomlb.harness.soak.DicomlbStart;

/**
 * One appliance: a real {@code dicomlb run} process in its namespace (its keepalived a child of
 * it), its configuration, logs and runtime directory under the drill's output, and the operator's
 * view of it through its admin API (curl inside the namespace, the API being on its loopback) and
 * the {@code dicomlb} commands.
 */
final class Appliance {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

    final Site site;
    final String role;
    final String address;
    private final int priority;
    private final Netns lab;
    private final DicomlbStart dicomlb;
    private final Path dir;
    private final Path config;
    private Server process;
    private int starts;

    Appliance(Netns lab, DicomlbStart dicomlb, Site site, String role, String address, int priority, Path out)
            throws IOException {
        this.lab = lab;
        this.dicomlb = dicomlb;
        this.site = site;
        this.role = role;
        this.address = address;
        this.priority = priority;
        this.dir = Files.createDirectories(out.resolve(role));
        this.config = Files.writeString(dir.resolve("dicomlb.yaml"), ApplianceConfig.yaml(site, address, priority));
    }

    /** Starts {@code dicomlb run}; the log of every start is appended to {@code dicomlb.log}. */
    synchronized void start() throws IOException, InterruptedException {
        starts++;
        Files.writeString(dir.resolve("dicomlb.log"), "---- start " + starts + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = lab.start(role, "dicomlb-" + role, dicomlb.command(List.of("run", "-c", config.toString(),
                "--access-log", dir.resolve("access.log").toString(), "--runtime-dir", dir.resolve("run").toString(),
                "--shutdown-grace", "2s")), dicomlb.env(), dir.resolve("dicomlb.log"));
    }

    /** Waits until the admin API answers and both listeners are bound, failing early if dicomlb exits. */
    void awaitRunning(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Server p = current();
            if (!p.isAlive()) {
                throw new IOException("dicomlb on " + role + " exited: " + p.logTail());
            }
            if (lab.listening(role, Network.MODALITY_PORT) && lab.listening(role, Network.SITE_PORT) && status() != null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("dicomlb on " + role + " not running after " + within.toSeconds() + " s: " + p.logTail());
            }
            Thread.sleep(100);
        }
    }

    private synchronized Server current() {
        return process;
    }

    /**
     * SIGKILL to the dicomlb process alone, as a crash (or the OOM killer) would: its keepalived,
     * a child under a parent-death signal, is left to notice by itself, as in production.
     */
    void kill() throws InterruptedException {
        Server p = current();
        ProcessHandle.of(p.pid()).ifPresent(h -> {
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                // reported by the caller's wait for the VIP
            }
        });
    }

    /**
     * The appliance loses power: its link goes down (no VRRP advert, no packet leaves it from this
     * instant), every process on it dies (dicomlb and keepalived alike, SIGKILL), and what a reboot
     * would not keep is gone (the VIP it held). The number of processes killed.
     */
    int powerOff() throws IOException, InterruptedException {
        lab.ip(role, "link", "set", "eth0", "down");
        int killed = lab.killAll(role);
        if (holdsVip()) {
            lab.ip(role, "addr", "del", site.vip() + "/24", "dev", "eth0");
        }
        return killed;
    }

    /** Power back: the link up with its default route (taken away with the link), then dicomlb started. */
    void powerOn() throws IOException, InterruptedException {
        lab.ip(role, "link", "set", "eth0", "up");
        lab.ip(role, "route", "replace", "default", "via", site.router());
        start();
    }

    /** Whether this appliance's namespace has the site's VIP on an interface now. */
    boolean holdsVip() throws IOException, InterruptedException {
        return lab.hasAddress(role, site.vip());
    }

    /** {@code GET /api/v1/status}, or null when the API does not answer. */
    JsonNode status() throws IOException, InterruptedException {
        Children.Exit e = lab.run(role, Duration.ofSeconds(10), List.of("curl", "-s", "-m", "5",
                "http://127.0.0.1:" + Network.ADMIN_PORT + "/api/v1/status"));
        if (!e.ok() || e.stdout().isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(e.stdout());
        } catch (IOException notJson) {
            return null;
        }
    }

    /** The GSLB's view of {@code member} of the imaging name: {@code health/state} (e.g. {@code up/held}), or "?" */
    String gslbMember(JsonNode status, String member) {
        if (status == null) {
            return "?";
        }
        for (JsonNode name : status.path("gslb").path("names")) {
            for (JsonNode m : name.path("members")) {
                if (m.path("name").asText().equals(member)) {
                    return m.path("health").asText("?") + "/" + m.path("state").asText("?");
                }
            }
        }
        return "?";
    }

    /** Runs {@code dicomlb ARGS --admin 127.0.0.1:9900} in this appliance's namespace, as an operator on it would. */
    Children.Exit cli(String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--admin", "127.0.0.1:" + Network.ADMIN_PORT));
        return lab.run(role, CLI_TIMEOUT, dicomlb.command(a), dicomlb.env());
    }

    /** What this appliance's GSLB answers for the imaging name to a client of the hospital core ({@code dig} from there). */
    String answerForCore() throws IOException, InterruptedException {
        Children.Exit e = lab.run(Network.DNS_MODALITY_ROLE, Duration.ofSeconds(10), List.of("dig", "+short", "+time=1",
                "+tries=1", "+norecurse", "@" + address, Network.NAME, "A"));
        String answer = e.stdout().strip();
        return e.ok() && !answer.isEmpty() ? answer.lines().findFirst().orElse("") : "(no answer)";
    }

    @Override
    public String toString() {
        return role + " (" + address + ", priority " + priority + ")";
    }
}
