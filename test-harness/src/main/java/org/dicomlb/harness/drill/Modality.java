package org.dicomlb.harness.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StorescuOutput;
import org.dicomlb.harness.soak.Instances;

/**
 * A modality in its namespace sending a bounded stream: one storescu association after the other,
 * each with a few new instances, until stopped. A <em>legacy</em> modality always calls the VIP it
 * was configured with; a <em>DNS-aware</em> one first resolves the imaging name through the
 * hospital resolver ({@code dig}, one second per try, two tries, as a stub resolver would) and
 * calls the address it got. Every attempt is recorded: when, where, which instances got a success
 * status, and how it failed if it did.
 *
 * <p>storescu's own timeouts bound every step (connect 5 s, association 5 s, each DIMSE message
 * 10 s, the socket 20 s: with DCMTK's default of 60 s, an association in flight through an
 * appliance that lost power hung 61 s before storescu gave up on it) and an outer bound catches
 * a storescu that hangs anyway (recorded as {@code hung}).
 */
final class Modality {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Duration OUTER_BOUND = Duration.ofSeconds(90);
    private static final Duration PAUSE = Duration.ofMillis(250);

    /**
     * One attempt: resolve (DNS-aware only), then one association.
     *
     * @param target the address called, or null when resolution failed
     * @param kind   {@code ok}, or how it failed ({@code resolve}, {@code rejected}, {@code timeout} ...)
     */
    record Attempt(String modality, int index, long startedNanos, long endedNanos, String target, List<String> sent,
                   List<String> stored, String kind, String detail) {
        Attempt {
            sent = List.copyOf(sent);
            stored = List.copyOf(stored);
        }

        boolean ok() {
            return kind.equals("ok");
        }
    }

    final String name;
    final String role;
    final String callingAe;
    private final String fixedTarget;
    private final Netns lab;
    private final Instances instances;
    private final int perAssociation;
    private final Path scratch;
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;
    private Thread thread;
    private volatile Throwable crashed;

    private Modality(String name, String role, String callingAe, String fixedTarget, Netns lab, Instances instances,
                     int perAssociation, Path scratch) {
        this.name = name;
        this.role = role;
        this.callingAe = callingAe;
        this.fixedTarget = fixedTarget;
        this.lab = lab;
        this.instances = instances;
        this.perAssociation = perAssociation;
        this.scratch = scratch;
    }

    /** A modality configured with one address (a site's VIP). */
    static Modality legacy(String name, String role, String callingAe, String vip, Netns lab, Instances instances,
                           int perAssociation, Path scratch) {
        return new Modality(name, role, callingAe, vip, lab, instances, perAssociation, scratch);
    }

    /** A modality configured with the imaging name, resolved through the hospital resolver before each association. */
    static Modality dnsAware(String name, String role, String callingAe, Netns lab, Instances instances, int perAssociation,
                             Path scratch) {
        return new Modality(name, role, callingAe, null, lab, instances, perAssociation, scratch);
    }

    void start() {
        thread = Thread.ofPlatform().name("modality-" + name).start(() -> {
            try {
                Path dir = Files.createDirectories(scratch.resolve(name));
                for (int i = 0; !stopping; i++) {
                    attempts.add(attempt(i, dir));
                    Thread.sleep(PAUSE.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                crashed = e;
            }
        });
    }

    /** Lets the association under way finish, then stops; fails when the stream itself broke (not an association). */
    void stop() throws InterruptedException, IOException {
        stopping = true;
        thread.join(OUTER_BOUND.plusSeconds(30).toMillis());
        if (thread.isAlive()) {
            throw new IOException("modality " + name + " did not stop");
        }
        if (crashed != null) {
            throw new IOException("modality " + name + " stopped sending: " + crashed, crashed);
        }
    }

    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    private Attempt attempt(int index, Path dir) throws IOException, InterruptedException {
        long started = System.nanoTime();
        String target = fixedTarget;
        if (target == null) {
            Children.Exit dig = lab.run(role, Duration.ofSeconds(10), List.of("dig", "+short", "+time=1", "+tries=2",
                    "@" + Network.RESOLVER, Network.NAME, "A"));
            target = dig.stdout().lines().map(String::strip).filter(l -> IPV4.matcher(l).matches()).findFirst().orElse(null);
            if (target == null) {
                String why = dig.ok() ? "no address in the answer" : "dig exited " + dig.code() + ": " + dig.stdout().strip();
                return new Attempt(name, index, started, System.nanoTime(), null, List.of(), List.of(), "resolve", why);
            }
        }
        List<Instances.Instance> batch = instances.write(dir, perAssociation);
        Map<String, String> uidByFile = new HashMap<>();
        List<String> cmd = new ArrayList<>(List.of(Dcmtk.storescu().toString(), "-v", "-aet", callingAe,
                "-aec", Network.ARCHIVE_AE, "-to", "5", "-ta", "5", "-td", "10", "-ts", "20", target, Integer.toString(Network.MODALITY_PORT)));
        for (Instances.Instance i : batch) {
            cmd.add(i.file().toString());
            uidByFile.put(i.file().toString(), i.uid());
        }
        List<String> sent = batch.stream().map(Instances.Instance::uid).toList();
        try {
            Children.Exit e;
            try {
                e = lab.run(role, OUTER_BOUND, cmd);
            } catch (Children.TimedOut hung) {
                return new Attempt(name, index, started, System.nanoTime(), target, sent, List.of(), "hung", hung.getMessage());
            }
            StorescuOutput o = StorescuOutput.parse(e.stderr() + "\n" + e.stdout(), uidByFile);
            boolean ok = e.ok() && o.stored().size() == sent.size();
            return new Attempt(name, index, started, System.nanoTime(), target, sent, o.stored(), ok ? "ok" : o.kind(),
                    ok ? "" : "exit " + e.code() + ", " + o.stored().size() + " of " + sent.size() + " stored; " + o.firstError());
        } finally {
            for (Instances.Instance i : batch) {
                Files.deleteIfExists(i.file());
            }
        }
    }
}
