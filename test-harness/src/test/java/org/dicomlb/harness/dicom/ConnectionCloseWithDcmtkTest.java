package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.dicomlb.cli.Appliance;
import org.dicomlb.cli.DicomlbCommand;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engineer finds a modality's running association by its calling AE and ends it: two DCMTK
 * storescu modalities (CT01, MR01) send through dicomlb to a storescp that takes a second per
 * instance; {@code dicomlb connections --ae CT01} lists CT01's association, {@code --close ID}
 * ends it, storescu reports the A-ABORT it got, and MR01's association goes on to its normal end.
 * Addresses: the appliance and the storescp (its own port, reached at 127.0.0.1) on loopback.
 */
class ConnectionCloseWithDcmtkTest {
    private static final Duration RUN_BOUND = Duration.ofSeconds(90);

    @TempDir
    Path work;

    /** One thread per modality: the common pool may have a single thread on two cores. */
    private final java.util.concurrent.ExecutorService modalities = java.util.concurrent.Executors.newFixedThreadPool(2);

    @org.junit.jupiter.api.AfterEach
    void stopModalities() {
        modalities.shutdownNow();
    }

    private record Cli(int exit, String out, String err) {
    }

    private static Cli dicomlb(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DicomlbCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Cli(exit, out.toString(), err.toString());
    }

    @Test
    @Timeout(150)
    void anOperatorAbortsOneModalitysAssociationAndTheOtherFinishes() throws Exception {
        TestInstances.Instance instance = TestInstances.secondaryCapture(work.resolve("source"), 1, 64, 64, false);
        int admin = Ports.free("127.0.0.1");
        int dicom = Ports.free("127.0.0.1");
        List<String> access = new CopyOnWriteArrayList<>();
        Path received = Files.createDirectories(work.resolve("archive"));
        try (StoreScp archive = StoreScp.start(StoreScp.Options.of("ARCHIVE", received).forking().with("--sleep-during", "1"))) {
            Path config = work.resolve("dicomlb.yaml");
            Files.writeString(config, """
                    admin: { listen: 127.0.0.1:%d }
                    listeners:
                      - { name: dicom, bind: 127.0.0.1:%d, mode: dicom, pool: archive }
                    pools:
                      - name: archive
                        health-check: none
                        backends: [{ name: arch1, address: 127.0.0.1:%d }]
                    """.formatted(admin, dicom, archive.port()));
            try (Appliance app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true),
                    AccessLog.to(access::add))) {
                String adminAt = "127.0.0.1:" + admin;
                // CT01 would take about 40 s (one second per instance), MR01 about 4 s.
                CompletableFuture<Tools.Result> ct = storescu("CT01", 40, dicom, instance);
                CompletableFuture<Tools.Result> mr = storescu("MR01", 4, dicom, instance);
                Eventually.until(() -> running(adminAt, "CT01") && running(adminAt, "MR01"), Duration.ofSeconds(30),
                        () -> dicomlb("connections", "--admin", adminAt).out());

                Cli listed = dicomlb("connections", "--admin", adminAt, "--ae", "CT01");
                assertThat(listed.exit()).as(listed.err()).isZero();
                assertThat(listed.out()).contains("CT01", "ARCHIVE", "archive/arch1", "relaying", "1 open").doesNotContain("MR01");
                JsonNode ctConnection = connections(adminAt, "CT01").path("connections").get(0);
                String id = ctConnection.path("id").asText();

                Cli closed = dicomlb("connections", "--admin", adminAt, "--close", id);
                assertThat(closed.exit()).as(closed.err()).isZero();
                assertThat(closed.out()).contains("connection " + id, "CT01 -> ARCHIVE", "A-ABORT");

                Tools.Result ctResult = ct.get(30, TimeUnit.SECONDS);
                assertThat(ctResult.exitCode()).as(ctResult.toString()).isNotZero();
                // DCMTK's words for an A-ABORT received (a bare close reads "Network connection closed" or similar).
                assertThat(ctResult.output()).as(ctResult.toString()).contains("Peer aborted Association");
                Tools.Result mrResult = mr.get(60, TimeUnit.SECONDS);
                assertThat(mrResult.ok()).as("the other modality is not affected: " + mrResult).isTrue();
                assertThat(connections(adminAt, null).path("matched").asInt()).isZero();

                Eventually.until(() -> access.size() >= 2, Duration.ofSeconds(10), () -> access);
                String ctLine = access.stream().filter(l -> l.contains("calling_ae=CT01")).findFirst().orElseThrow();
                assertThat(ctLine).contains(" result=accepted ", " abort=2-0 by=dicomlb ", " assoc_end=aborted_by_dicomlb ",
                        " end=admin_close");
                String mrLine = access.stream().filter(l -> l.contains("calling_ae=MR01")).findFirst().orElseThrow();
                assertThat(mrLine).contains(" assoc_end=released ").doesNotContain("admin_close");
                assertThat(app.status().events().getFirst().text()).contains("closed by an operator", "(CT01)");
            }
        }
    }

    private CompletableFuture<Tools.Result> storescu(String callingAe, int repeat, int port, TestInstances.Instance instance) {
        return CompletableFuture.supplyAsync(() -> Tools.run(RUN_BOUND, work, List.of(Dcmtk.storescu().toString(),
                "-aet", callingAe, "-aec", "ARCHIVE", "--repeat", Integer.toString(repeat), "127.0.0.1",
                Integer.toString(port), instance.file().toString())), modalities);
    }

    private static JsonNode connections(String adminAt, String ae) {
        Cli c = ae == null ? dicomlb("connections", "--admin", adminAt, "--json")
                : dicomlb("connections", "--admin", adminAt, "--json", "--ae", ae);
        assertThat(c.exit()).as(c.err()).isZero();
        try {
            return new ObjectMapper().readTree(c.out());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(c.out(), e);
        }
    }

    /** The modality's association is relayed and has sent data already. */
    private static boolean running(String adminAt, String ae) {
        JsonNode list = connections(adminAt, ae).path("connections");
        return list.size() == 1 && list.get(0).path("state").asText().equals("relaying")
                && list.get(0).path("dicom").path("pdata_in").asLong() > 0;
    }
}
