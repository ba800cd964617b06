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
import org.dicomlb.harness.peers.StorescuOutput;

/**
 * One modality sending studies through the dicom listener: DCMTK's storescu, again and again,
 * each association sending a few new instances, until the deadline. Its output says exactly which
 * instances were stored ({@link StorescuOutput}); those go to {@link Delivery}. An association that fails (a backend killed under it, no backend eligible) is
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
            StorescuOutput o = StorescuOutput.parse(e.stderr() + "\n" + e.stdout(), uidByFile);
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
}
