package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.cli.Main;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dicomlb demo} as a first-time user runs it: a real process, then the commands its guide
 * suggests, with DCMTK as the modality. The demo's addresses are fixed (127.0.0.1:10104, 10400,
 * 9900 and its simulated backends on 127.0.0.11-14), so this test fails with the demo's own
 * "address in use" error when a demo is already running on the machine.
 */
class DemoWithDcmtkTest {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern RECEIVED = Pattern.compile("stored under (\\S+)/<backend>/");

    @TempDir
    Path work;

    private Process demo;
    private Path out;

    @AfterEach
    void stopDemo() throws InterruptedException {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String output() {
        try {
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tools.Result run(String... command) {
        return Tools.run(TOOL_TIMEOUT, work.resolve("tools"), Arrays.asList(command));
    }

    /** The access-log lines the demo printed so far for {@code calledAe}. */
    private List<String> accessLinesFor(String calledAe) {
        List<String> lines = new ArrayList<>();
        for (String line : output().split("\n")) {
            if (line.contains(" listener=demo-dicom ") && line.contains(" called_ae=" + calledAe + " ")) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void theDemoServesWhatItsGuideSuggests() throws Exception {
        out = work.resolve("demo.out");
        String java = ProcessHandle.current().info().command().orElseThrow();
        // As from a terminal: SIGINT at its default even when this build runs in the background
        // of a shell without job control (which starts it with SIGINT ignored, inherited by all).
        demo = new ProcessBuilder("env", "--default-signal=INT", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "demo")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        // The guide's last line: the whole guide is out (it is written in pieces).
        Eventually.until(() -> output().contains("Stop with Ctrl-C") || !demo.isAlive(),
                Duration.ofSeconds(30), this::output);
        assertThat(demo.isAlive()).as(output()).isTrue();
        Matcher received = RECEIVED.matcher(output());
        assertThat(received.find()).as(output()).isTrue();
        Path storage = Path.of(received.group(1));

        // The backends start in STARTING and need `rise` good C-ECHO probes; until then the
        // modality is told "Rejected Transient" and retries, as a real one would.
        String echoscu = Dcmtk.echoscu().toString();
        Tools.Result[] echo = new Tools.Result[1];
        Eventually.until(() -> (echo[0] = run(echoscu, "-v", "-aec", "DEMO", "127.0.0.1", "10104")).ok(),
                Duration.ofSeconds(30), () -> echo[0] + "\n" + output());
        assertThat(echo[0].output()).contains("Received Echo Response (Success)");

        Tools.Result qr = run(echoscu, "-v", "-aec", "QR_MAIN", "127.0.0.1", "10104");
        assertThat(qr.exitCode()).as(qr.toString()).isZero();
        Eventually.until(() -> !accessLinesFor("QR_MAIN").isEmpty(), Duration.ofSeconds(10), this::output);
        assertThat(accessLinesFor("QR_MAIN")).singleElement().asString()
                .contains(" pool=demo-qr backend=qr-1 ", " result=accepted ", " assoc_end=released ");

        // A C-STORE lands, byte for byte, in the directory of the archive that took it.
        TestInstances.Instance instance = TestInstances.secondaryCapture(work.resolve("source"), 1, 64, 64, false);
        Tools.Result store = run(Dcmtk.storescu().toString(), "-aec", "DEMO", "127.0.0.1", "10104",
                instance.file().toString());
        assertThat(store.exitCode()).as(store.toString()).isZero();
        List<Path> stored;
        try (var files = Files.find(storage, 2, (p, a) -> p.getFileName().toString().equals(instance.sopInstanceUid() + ".dcm"))) {
            stored = files.toList();
        }
        assertThat(stored).as("stored under " + storage).singleElement()
                .satisfies(p -> assertThat(p.getParent().getFileName().toString()).isIn("archive-1", "archive-2"))
                .satisfies(p -> assertThat(TestInstances.part10(p).dataSet())
                        .isEqualTo(TestInstances.part10(instance.file()).dataSet()));

        // The TCP listener: each simulated server greets with its name.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 10400), 5_000);
            s.setSoTimeout(5_000);
            String greeting = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertThat(greeting).containsAnyOf("demo-1", "demo-2");
        }

        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9900/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("dicomlb_associations_total{", "listener=\"demo-dicom\"");
        }

        // Ctrl-C (SIGINT) stops the demo cleanly.
        assertThat(new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor()).isZero();
        assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as(output()).isTrue();
        assertThat(demo.exitValue()).as(output()).isZero();
    }
}
