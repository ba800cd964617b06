package org.dicomlb.harness.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Orthanc (Debian package {@code orthanc}) as a DICOM peer, with its HTTP server off. Like
 * storescp it binds the DICOM port on all addresses; tests reach it through 127.0.0.1 only.
 */
public final class Orthanc implements AutoCloseable {
    private final PeerProcess process;
    private final String aeTitle;

    private Orthanc(PeerProcess process, String aeTitle) {
        this.process = process;
        this.aeTitle = aeTitle;
    }

    /**
     * @param checkCalledAe Orthanc's {@code DicomCheckCalledAet}: reject associations addressed
     *                      to another AE (A-ASSOCIATE-RJ permanent, service-user, reason 7)
     */
    public static Orthanc start(String aeTitle, boolean checkCalledAe, Path workDir) {
        String binary = Binaries.find("Orthanc", "orthanc").toString();
        PeerProcess p = PeerProcess.startListening("orthanc", workDir, port -> {
            Path config = workDir.resolve("orthanc-" + port + ".json");
            Path storage = workDir.resolve("storage-" + port);
            String json = """
                    {
                      "Name": "dicomlb-test",
                      "StorageDirectory": "%s",
                      "IndexDirectory": "%s",
                      "DicomAet": "%s",
                      "DicomPort": %d,
                      "DicomCheckCalledAet": %s,
                      "HttpServerEnabled": false,
                      "RemoteAccessAllowed": false,
                      "Plugins": []
                    }
                    """.formatted(storage, storage, aeTitle, port, checkCalledAe);
            try {
                Files.createDirectories(storage);
                Files.writeString(config, json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.of(binary, config.toString());
        }, Duration.ofSeconds(30));
        return new Orthanc(p, aeTitle);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), process.port());
    }

    public String aeTitle() {
        return aeTitle;
    }

    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
