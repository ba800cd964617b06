package org.dicomlb.harness.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomlb.cli.LogSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of {@code scripts/soak} that CI runs: 50 s of storescu streams, C-ECHO storms,
 * idle floods and half-close clients through a dicomlb process, with every kind of fault injected
 * at least once, and every check of the soak passing (docs/soak.md).
 */
class SoakTest {
    @TempDir
    Path out;

    @Test
    void aShortSoakWithFaultsLosesNoInstanceHangsNothingLeaksNothingAndLogsNothingUnexpected() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        DicomlbStart start = DicomlbStart.java(Path.of(java), System.getProperty("java.class.path"), List.of(
                // The product's logging configuration, not the harness's logback-test.xml that is
                // first on the test class path: the log check reads dicomlb's own format.
                "-D" + LogSetup.FORCE + "=appliance",
                "-Dio.netty.leakDetection.level=" + Soak.LEAK_DETECTION));

        SoakReport report = Soak.run(SoakSettings.standard(Duration.ofSeconds(50)), start, out, System.err);

        String md = ReportWriter.markdown(report);
        System.out.println(md);
        assertThat(report.checks()).as(md).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        assertThat(report.verdict()).isEqualTo("pass");
        assertThat(report.instances().confirmed()).as("instances stored").isPositive();
        assertThat(report.faults()).as("every kind of fault").hasSize(4).allSatisfy((kind, n) -> assertThat(n).as(kind).isPositive());
        assertThat(report.clients()).allSatisfy(c -> assertThat(c.succeeded()).as(c.name()).isPositive());
        JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(json.path("verdict").asText()).isEqualTo("pass");
        assertThat(Files.readString(out.resolve("report.md"))).startsWith("# dicomlb soak: PASS");
        assertThat(Files.readAllLines(out.resolve("samples.csv")).size()).as("about one sample a second").isGreaterThan(30);
    }
}
