package org.dicomlb.harness.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.process.Server;
import org.dicomlb.harness.drill.Network.Site;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.Orthanc;

/**
 * A site's archive: a real DICOM storage SCP in the site's archive namespace, listening on
 * {@link Network#ARCHIVE_PORT} with AE title {@link Network#ARCHIVE_AE}, killed with SIGKILL (as a
 * crash) and started again by the drill, and asked afterwards which SOP Instance UIDs it holds.
 */
abstract sealed class Archive permits Archive.StoreScpArchive, Archive.OrthancArchive {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    final Site site;
    final Netns lab;
    final Path dir;
    private Server process;

    Archive(Netns lab, Site site, Path out) throws IOException {
        this.lab = lab;
        this.site = site;
        this.dir = Files.createDirectories(out.resolve(site.archiveRole()));
    }

    abstract String product();

    abstract List<String> command() throws IOException;

    /** Every SOP Instance UID the archive holds now. */
    abstract Set<String> storedUids() throws IOException, InterruptedException;

    /** Starts the archive and waits until it listens. */
    synchronized void start() throws IOException, InterruptedException {
        process = lab.start(site.archiveRole(), product() + "-" + site.id(), command(), Map.of(), dir.resolve(product() + ".log"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!lab.listening(site.archiveRole(), Network.ARCHIVE_PORT) || !ready()) {
            process.checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IOException(product() + " at " + site.label() + " not listening after " + START_TIMEOUT.toSeconds()
                        + " s: " + process.logTail());
            }
            Thread.sleep(50);
        }
    }

    /** Beyond the DICOM port: whatever else must answer before the archive counts as started. */
    boolean ready() throws IOException, InterruptedException {
        return true;
    }

    /** SIGKILL to the archive and every process it forked (storescp's per-association children). */
    synchronized void kill() {
        process.kill();
    }

    /**
     * DCMTK's storescp with {@code --fork} (a process per association) and {@code +B} (each data
     * set written to disk as it arrives, before the C-STORE response); files are named
     * {@code MODALITY.SOP-INSTANCE-UID}, so the UIDs are read from the directory listing.
     */
    static final class StoreScpArchive extends Archive {
        private final Path storage;

        StoreScpArchive(Netns lab, Site site, Path out) throws IOException {
            super(lab, site, out);
            this.storage = Files.createDirectories(dir.resolve("storage"));
        }

        @Override
        String product() {
            return "storescp";
        }

        @Override
        List<String> command() {
            // -dhl: no reverse lookup of each caller's address (there is no DNS for it in the drill's
            // namespaces, and the host's resolver must not be asked).
            return List.of(Dcmtk.storescp().toString(), "--fork", "+B", "-dhl", "-aet", Network.ARCHIVE_AE, "-od",
                    storage.toString(), Integer.toString(Network.ARCHIVE_PORT));
        }

        @Override
        Set<String> storedUids() throws IOException {
            Set<String> uids = new HashSet<>();
            try (Stream<Path> files = Files.list(storage)) {
                files.forEach(f -> {
                    String name = f.getFileName().toString();
                    int dot = name.indexOf('.');
                    if (dot > 0) {
                        uids.add(name.substring(dot + 1));
                    }
                });
            }
            return uids;
        }
    }

    /**
     * Orthanc from a temporary JSON configuration (the harness's {@link Orthanc#configJson}); its
     * REST API on the namespace's own loopback (remote access refused) says which instances it
     * holds: {@code GET /instances?expand} lists each with its SOP Instance UID.
     */
    static final class OrthancArchive extends Archive {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final Path config;

        OrthancArchive(Netns lab, Site site, Path out) throws IOException {
            super(lab, site, out);
            Path storage = Files.createDirectories(dir.resolve("storage"));
            this.config = Files.writeString(dir.resolve("orthanc.json"), Orthanc.configJson(Network.ARCHIVE_AE, false,
                    Network.ARCHIVE_PORT, Network.ORTHANC_HTTP_PORT, storage));
        }

        @Override
        String product() {
            return "orthanc";
        }

        @Override
        List<String> command() {
            return List.of(Binaries.find("Orthanc", "orthanc").toString(), config.toString());
        }

        @Override
        boolean ready() throws IOException, InterruptedException {
            return lab.listening(site.archiveRole(), Network.ORTHANC_HTTP_PORT);
        }

        @Override
        Set<String> storedUids() throws IOException, InterruptedException {
            Children.Exit e = lab.run(site.archiveRole(), Duration.ofSeconds(120), List.of("curl", "-sf", "-m", "110",
                    "http://127.0.0.1:" + Network.ORTHANC_HTTP_PORT + "/instances?expand"));
            if (!e.ok()) {
                throw new IOException("Orthanc's REST API did not list its instances: " + e.describe());
            }
            Set<String> uids = new HashSet<>();
            for (JsonNode i : JSON.readTree(e.stdout())) {
                String uid = i.path("MainDicomTags").path("SOPInstanceUID").asText("");
                if (!uid.isEmpty()) {
                    uids.add(uid);
                }
            }
            return uids;
        }
    }
}
