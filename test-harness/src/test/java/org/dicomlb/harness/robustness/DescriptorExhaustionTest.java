package org.dicomlb.harness.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.Main;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.TestBackend;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dicomlb started with 1,024 open files (as under {@code prlimit --nofile=1024}) and flooded with
 * 1,500 idle connections on its tcp listener. Each relayed connection needs two descriptors, so
 * before the listeners were capped to what the descriptors carry, {@code accept} ran the process
 * out of them, the health checker could not open sockets, every backend went down and a modality
 * got A-ASSOCIATE-RJ. Now the flood waits in the kernel's backlog, health stays up and a fresh
 * C-ECHO through the dicom listener succeeds. Everything here is on 127.0.0.1 and 127.0.0.11.
 */
class DescriptorExhaustionTest {
    private static final int FLOOD = 1500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Process dicomlb;
    private final List<Socket> flood = new ArrayList<>();
    private final List<AutoCloseable> peers = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Socket s : flood) {
            s.close();
        }
        if (dicomlb != null) {
            dicomlb.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : peers) {
            c.close();
        }
    }

    private String output() {
        try {
            return Files.readString(dir.resolve("out.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode status(int adminPort) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/api/v1/status"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return JSON.readTree(r.body());
        }
    }

    /** The health of a pool's first backend now, or "?" when the admin API cannot be asked. */
    private String health(int admin, String pool) {
        try {
            return named(status(admin).path("pools"), pool).path("backends").get(0).path("health").asText();
        } catch (Exception e) {
            return "?";
        }
    }

    /** Open connections of a listener now, or -1 when the admin API cannot be asked. */
    private int connections(int admin, String listener) {
        try {
            return named(status(admin).path("listeners"), listener).path("connections").asInt();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (n.path("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no " + name + " in " + list);
    }

    @Test
    void anIdleFloodUnder1024DescriptorsLeavesHealthUpAndEchoWorking() throws Exception {
        StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", dir.resolve("scp")).forking());
        peers.add(scp);
        TestBackend sink = TestBackend.start("sink", "127.0.0.11");
        peers.add(sink);
        int admin = Ports.free("127.0.0.1");
        int dicomPort = Ports.free("127.0.0.1");
        int tcpPort = Ports.free("127.0.0.1");
        Path config = Files.writeString(dir.resolve("dicomlb.yaml"), """
                admin: { listen: 127.0.0.1:%d }
                listeners:
                  - { name: dicom, bind: 127.0.0.1:%d, mode: dicom, pool: archive, max-connections: 5000 }
                  - { name: tcp, bind: 127.0.0.1:%d, pool: idle, max-connections: 5000 }
                pools:
                  - name: archive
                    health-check: { type: dicom-echo, called-ae: STORESCP, interval: 1s, timeout: 900ms, rise: 1, fall: 2 }
                    backends: [ { name: scp, address: 127.0.0.1:%d } ]
                  - name: idle
                    health-check: { type: tcp, interval: 1s, timeout: 900ms, rise: 1, fall: 2 }
                    backends: [ { name: sink, address: %s } ]
                """.formatted(admin, dicomPort, tcpPort, scp.port(), sink.hostPort()));
        String java = ProcessHandle.current().info().command().orElseThrow();
        dicomlb = new ProcessBuilder(Binaries.find("prlimit", "util-linux").toString(), "--nofile=1024:1024", "--",
                java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        Eventually.until(() -> connections(admin, "tcp") >= 0 || !dicomlb.isAlive(), Duration.ofSeconds(30), this::output);
        assertThat(dicomlb.isAlive()).as(output()).isTrue();

        // The limits in force say what 1,024 descriptors carry, and the log said so at start.
        JsonNode s = status(admin);
        assertThat(s.path("descriptors").path("limit").asLong()).isEqualTo(1024);
        int tcpLimit = named(s.path("listeners"), "tcp").path("limit").asInt();
        assertThat(tcpLimit).isLessThan(500).isPositive();
        assertThat(output()).contains("max-connections capped");

        // Both pools checked and up before the flood, so "up" during it means it stayed up.
        Eventually.until(() -> health(admin, "archive").equals("up") && health(admin, "idle").equals("up"),
                Duration.ofSeconds(30), this::output);
        for (int i = 0; i < FLOOD; i++) {
            Socket c = new Socket();
            c.connect(new InetSocketAddress("127.0.0.1", tcpPort), 5_000);
            flood.add(c);
        }
        Eventually.until(() -> connections(admin, "tcp") >= tcpLimit, Duration.ofSeconds(30), this::output);

        // Several check intervals under the flood: both pools stay up.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < until) {
            for (String pool : new String[] {"archive", "idle"}) {
                JsonNode backend = named(status(admin).path("pools"), pool).path("backends").get(0);
                assertThat(backend.path("health").asText()).as(pool + " during the flood: " + backend).isEqualTo("up");
            }
            Thread.sleep(250);
        }
        Tools.Result echo = Tools.run(Duration.ofSeconds(30), dir.resolve("tools"),
                List.of(Dcmtk.echoscu().toString(), "-v", "-aec", "STORESCP", "127.0.0.1", Integer.toString(dicomPort)));
        assertThat(echo.output()).as(echo.toString()).contains("Received Echo Response (Success)");
        assertThat(output()).doesNotContain("Unable to create Channel", "STARTING -> DOWN", "UP -> DOWN");

        // When the flood leaves, the tcp listener takes new clients again.
        for (Socket c : flood) {
            c.close();
        }
        flood.clear();
        Eventually.until(() -> {
            try {
                return Client.whoServes(new InetSocketAddress("127.0.0.1", tcpPort), null).equals("sink");
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(30), this::output);
    }
}
