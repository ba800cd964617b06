package org.dicomlb.harness.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Orthanc (Debian package {@code orthanc}) as a DICOM peer, with its HTTP server off unless the
 * REST API is asked for. Like storescp it binds its ports on all addresses; tests reach it
 * through 127.0.0.1 only, and {@code RemoteAccessAllowed: false} refuses HTTP from anywhere else.
 */
public final class Orthanc implements AutoCloseable {
    private final PeerProcess process;
    private final int httpPort;

    private Orthanc(PeerProcess process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    /**
     * @param checkCalledAe Orthanc's {@code DicomCheckCalledAet}: reject associations addressed
     *                      to another AE (A-ASSOCIATE-RJ permanent, service-user, reason 7)
     */
    public static Orthanc start(String aeTitle, boolean checkCalledAe, Path workDir) {
        return start(aeTitle, checkCalledAe, workDir, false);
    }

    /** As {@link #start(String, boolean, Path)}, with the REST API on a loopback port too. */
    public static Orthanc startWithRestApi(String aeTitle, boolean checkCalledAe, Path workDir) {
        return start(aeTitle, checkCalledAe, workDir, true);
    }

    private static Orthanc start(String aeTitle, boolean checkCalledAe, Path workDir, boolean rest) {
        String binary = Binaries.find("Orthanc", "orthanc").toString();
        AtomicInteger httpPort = new AtomicInteger();
        PeerProcess p = PeerProcess.startListening("orthanc", workDir, port -> {
            Path config = workDir.resolve("orthanc-" + port + ".json");
            Path storage = workDir.resolve("storage-" + port);
            httpPort.set(rest ? FreePorts.pick() : 0);
            String json = configJson(aeTitle, checkCalledAe, port, rest ? httpPort.get() : 0, storage);
            try {
                Files.createDirectories(storage);
                Files.writeString(config, json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.of(binary, config.toString());
        }, Duration.ofSeconds(30));
        if (rest) {
            try {
                p.awaitListening(httpPort.get(), Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
        }
        return new Orthanc(p, httpPort.get());
    }

    /**
     * Orthanc's configuration file: storage and index in {@code storage}, the DICOM server on
     * {@code dicomPort} (every address), the REST API on {@code httpPort} or off when it is 0, and
     * never reachable from anywhere but the host's (or the network namespace's) own loopback.
     */
    public static String configJson(String aeTitle, boolean checkCalledAe, int dicomPort, int httpPort, Path storage) {
        return """
                {
                  "Name": "dicomlb-test",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "DicomAet": "%s",
                  "DicomPort": %d,
                  "DicomCheckCalledAet": %s,
                  "HttpServerEnabled": %s,
                  "HttpPort": %d,
                  "RemoteAccessAllowed": false,
                  "AuthenticationEnabled": false,
                  "Plugins": []
                }
                """.formatted(storage, storage, aeTitle, dicomPort, checkCalledAe, httpPort != 0, httpPort != 0 ? httpPort : 8042);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), process.port());
    }

    /** Base URI of the REST API, e.g. {@code http://127.0.0.1:41234}; only with {@link #startWithRestApi}. */
    public URI restApi() {
        if (httpPort == 0) {
            throw new IllegalStateException("this Orthanc was started without its REST API");
        }
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /**
     * One REST call ({@code body} null for a GET), as text. HTTP/1.1 only: the JDK client's default
     * asks a cleartext server to upgrade to h2c, which Orthanc's embedded server does not speak.
     * A connection Orthanc's server drops before answering (a CI run once saw a broken pipe on
     * the first request, 4 s after Orthanc had stored what it was asked about) is tried again, at
     * most three times in all; the last failure carries Orthanc's log.
     */
    public HttpResponse<String> rest(String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(restApi().resolve(path)).version(HttpClient.Version.HTTP_1_1)
                .timeout(Duration.ofSeconds(10));
        HttpRequest request = (body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body))).build();
        IOException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build()) {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IOException("Orthanc's REST API did not answer " + path + " in 3 attempts; its log:\n" + log(), last);
    }

    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
