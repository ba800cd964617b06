package org.dicomlb.harness.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scripts/lib/heap.sh, which both launchers source for the heap's initial and young-generation
 * sizes: run in {@code sh} (dash on Debian), the shell of the packaged launcher, with the value
 * DICOMLB_HEAP would have; and the options it gives, with that -Xmx, started in a real JVM.
 */
class LauncherHeapTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "lib", "heap.sh");

    private static String options(String heap) throws Exception {
        Process p = new ProcessBuilder("sh", "-euc", ". \"$1\"; dicomlb_heap_options \"$2\"", "sh",
                SCRIPT.toAbsolutePath().toString(), heap).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @ParameterizedTest(name = "DICOMLB_HEAP={0}")
    @CsvSource(delimiter = '|', value = {
            "256m|-Xms48m -Xmn24m", "96m|-Xms48m -Xmn24m", "1g|-Xms48m -Xmn24m", "2G|-Xms48m -Xmn24m",
            "262144k|-Xms48m -Xmn24m", "268435456|-Xms48m -Xmn24m", "0512m|-Xms48m -Xmn24m",
            // below 96 MiB: half initially, a quarter young, so the initial heap never exceeds the maximum
            "64m|-Xms32m -Xmn16m", "95m|-Xms47m -Xmn23m", "32M|-Xms16m -Xmn8m", "16m|-Xms8m -Xmn4m"})
    void sizesTheHeapFromTheMaximum(String heap, String expected) throws Exception {
        assertThat(options(heap)).isEqualTo(expected);
    }

    /** Too small to size, or not a size at all: nothing, and -Xmx alone says what is wrong. */
    @ParameterizedTest(name = "DICOMLB_HEAP={0}")
    @ValueSource(strings = {"8m", "lots", "12x", "", "m", "-1g", "1.5g"})
    void leavesTheRestToTheJvm(String heap) throws Exception {
        assertThat(options(heap)).isEmpty();
    }

    /** The options the launcher would pass start a JVM with that maximum, without a warning. */
    @ParameterizedTest(name = "DICOMLB_HEAP={0}")
    @ValueSource(strings = {"256m", "64m", "32m", "16m"})
    void aJvmStartsWithThem(String heap) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC"));
        cmd.addAll(List.of(options(heap).split(" ")));
        cmd.addAll(List.of("-Xmx" + heap, "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(cmd.toString()).doesNotContainIgnoringCase("warning");
    }
}
