package org.dicomlb.harness.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Stream;

/**
 * The promise the soak checks first: every instance storescu was told was stored (C-STORE-RSP
 * success) is at one of the storescp backends. storescp writes the file before it answers, and a
 * storescu run is confirmed only after it exited, so a confirmed instance must already be on disk
 * when it is looked for; one that is not was lost.
 *
 * <p>storescp names each file {@code MODALITY.SOP-INSTANCE-UID} (e.g. {@code SC.1.2.826...}). A
 * sweep lists the backends' output directories, ticks off the confirmed instances it finds and
 * deletes their files, so a long soak keeps disk use bounded; files no one confirmed (an
 * association cut by a fault) stay and are counted at the end.
 */
final class Delivery {
    private static final int MISSING_EXAMPLES = 10;

    private final List<Path> backendDirs;
    private final Queue<String> confirmed = new ArrayDeque<>();
    private long confirmedTotal;
    private long found;
    private final List<String> missing = new ArrayList<>();
    private long missingTotal;

    Delivery(List<Path> backendDirs) {
        this.backendDirs = List.copyOf(backendDirs);
    }

    /** Instances storescu reported stored, from a run that has ended. */
    synchronized void confirm(Collection<String> uids) {
        confirmed.addAll(uids);
        confirmedTotal += uids.size();
    }

    /** Looks for every confirmed instance not yet found; each is found now or counted missing. */
    synchronized void sweep() throws IOException {
        if (confirmed.isEmpty()) {
            return;
        }
        Map<String, Path> stored = new HashMap<>();
        for (Path dir : backendDirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(f -> {
                    String name = f.getFileName().toString();
                    int dot = name.indexOf('.');
                    if (dot > 0) {
                        stored.put(name.substring(dot + 1), f);
                    }
                });
            }
        }
        for (String uid; (uid = confirmed.poll()) != null; ) {
            Path f = stored.get(uid);
            if (f != null) {
                found++;
                Files.deleteIfExists(f);
            } else {
                missingTotal++;
                if (missing.size() < MISSING_EXAMPLES) {
                    missing.add(uid);
                }
            }
        }
    }

    /** Files at the backends that no storescu run confirmed (cut by a fault), counted after the last sweep. */
    synchronized long unconfirmedFiles() throws IOException {
        long n = 0;
        for (Path dir : backendDirs) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    n += files.filter(f -> f.getFileName().toString().indexOf('.') > 0).count();
                }
            }
        }
        return n;
    }

    synchronized long confirmedTotal() {
        return confirmedTotal;
    }

    synchronized long found() {
        return found;
    }

    synchronized long missingTotal() {
        return missingTotal;
    }

    synchronized List<String> missingExamples() {
        return List.copyOf(missing);
    }
}
