package org.dicomlb.harness.soak;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.peers.Dcmtk;

/**
 * One modality sending studies through the dicom listener: DCMTK's storescu, again and again,
 * each association sending a few new instances, until the deadline. {@code storescu -v} prints
 * "Sending file: F" before each C-STORE and "Received Store Response (Success)" when the backend
 * confirmed it, so the run's output says exactly which instances were stored; those go to
 * {@link Delivery}. An association that fails (a backend killed under it, no backend eligible) is
 * counted by kind and its unconfirmed instances are simply not promised.
 *
 * <p>storescu's own timeouts bound every step (connect 5 s, association 10 s, each DIMSE message
 * 15 s); the outer bound, well beyond their sum for one association, catches a storescu that
 * hangs anyway: that is a hang, and fails the soak.
 */
final class StoreStream {
    static final String CALLING_AE = "SOAK_SCU";
    private static final int CONNECT_TIMEOUT_S = 5;
    private static final int ACSE_TIMEOUT_S = 10;
    private static final int DIMSE_TIMEOUT_S = 15;
    private static final Duration PAUSE = Duration.ofMillis(100);

    private final int id;
    private final Children children;
    private final InetSocketAddress target;
    private final Instances instances;
    private final int perAssociation;
    private final Path scratch;
    private final Tally tally;
    private final Delivery delivery;

    StoreStream(int id, Children children, InetSocketAddress target, Instances instances, int perAssociation, Path scratch,
                Tally tally, Delivery delivery) {
        this.id = id;
        this.children = children;
        this.target = target;
        this.instances = instances;
        this.perAssociation = perAssociation;
        this.scratch = scratch;
        this.tally = tally;
        this.delivery = delivery;
    }

    /** The longest one storescu run may take before it counts as hung. */
    Duration outerBound() {
        return Duration.ofSeconds(CONNECT_TIMEOUT_S + 2L * ACSE_TIMEOUT_S + (long) perAssociation * DIMSE_TIMEOUT_S + 30);
    }

    /** Runs associations back to back until {@code deadline} (System.nanoTime()); the last one may end after it. */
    void runUntil(long deadline) throws InterruptedException, IOException {
        Path dir = Files.createDirectories(scratch.resolve("stream-" + id));
        while (System.nanoTime() - deadline < 0) {
            once(dir);
            Thread.sleep(PAUSE.toMillis());
        }
    }

    private void once(Path dir) throws IOException, InterruptedException {
        List<Instances.Instance> batch = instances.write(dir, perAssociation);
        Map<String, String> uidByFile = new HashMap<>();
        List<String> cmd = new ArrayList<>(List.of(Dcmtk.storescu().toString(), "-v",
                "-aet", CALLING_AE, "-aec", SoakConfig.CALLED_AE,
                "-to", Integer.toString(CONNECT_TIMEOUT_S), "-ta", Integer.toString(ACSE_TIMEOUT_S),
                "-td", Integer.toString(DIMSE_TIMEOUT_S),
                target.getAddress().getHostAddress(), Integer.toString(target.getPort())));
        for (Instances.Instance i : batch) {
            cmd.add(i.file().toString());
            uidByFile.put(i.file().toString(), i.uid());
        }
        try {
            Children.Exit e;
            try {
                e = children.run(cmd, Map.of(), outerBound(), dir.resolve("out"));
            } catch (Children.TimedOut notFinished) {
                tally.hang(notFinished.getMessage());
                return;
            }
            Outcome o = parse(e.stderr() + "\n" + e.stdout(), uidByFile);
            delivery.confirm(o.stored());
            if (e.ok() && o.stored().size() == batch.size()) {
                tally.success();
            } else {
                tally.failure(o.kind(), "exit " + e.code() + ", " + o.stored().size() + " of " + batch.size()
                        + " stored; " + o.firstError());
            }
        } finally {
            for (Instances.Instance i : batch) {
                Files.deleteIfExists(i.file());
            }
        }
    }

    /**
     * @param stored     UIDs whose C-STORE got status Success
     * @param kind       how the association failed, from a small fixed set ({@code ok} when it did not)
     * @param firstError the first few fatal or error lines storescu printed (DCMTK says what failed
     *                   on one line and why on the next)
     */
    record Outcome(List<String> stored, String kind, String firstError) {
    }

    /** Reads {@code storescu -v} output: which files were sent and which got a Success response. */
    static Outcome parse(String output, Map<String, String> uidByFile) {
        List<String> stored = new ArrayList<>();
        String current = null;
        List<String> errors = new ArrayList<>();
        for (String line : output.split("\n")) {
            String l = line.strip();
            int sending = l.indexOf("Sending file: ");
            if (sending >= 0) {
                current = uidByFile.get(l.substring(sending + "Sending file: ".length()).strip());
            } else if (l.contains("Received Store Response")) {
                if (current != null && l.contains("Received Store Response (Success)")) {
                    stored.add(current);
                }
                current = null;
            } else if ((l.startsWith("E:") || l.startsWith("F:")) && errors.size() < 3) {
                errors.add(l);
            }
        }
        return new Outcome(stored, kind(output), String.join(" | ", errors));
    }

    /** A bounded vocabulary for the report: what storescu said went wrong. */
    private static String kind(String output) {
        if (output.contains("Association Rejected")) {
            return "rejected";
        }
        if (output.contains("Connection refused")) {
            return "connect-refused";
        }
        if (output.contains("Timeout") || output.contains("timeout")) {
            return "timeout";
        }
        if (output.contains("Peer aborted Association") || output.contains("Association Aborted")) {
            return "aborted";
        }
        if (output.contains("Peer closed") || output.contains("Connection reset") || output.contains("Broken pipe")
                || output.contains("Network closed") || output.contains("TCP I/O Error")) {
            return "connection-lost";
        }
        if (output.contains("Received Store Response (")) {
            return "store-status";
        }
        return "other";
    }
}
