package org.dicomlb.harness.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bash completion the lb-admin-cli build writes (target/completion/dicomlb, from picocli's
 * model of the command) completes what an operator types: commands, and each command's options.
 * In the reactor, lb-admin-cli is packaged before this module's tests run.
 */
class BashCompletionTest {
    private static final Path SCRIPT = Path.of("..", "lb-admin-cli", "target", "completion", "dicomlb");

    private static String complete(String... words) throws Exception {
        String line = String.join(" ", words);
        String script = "source '" + SCRIPT.toAbsolutePath() + "'\n"
                + "COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + line + "'; COMP_POINT="
                + line.length() + "\n_complete_dicomlb 2>/dev/null\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process p = new ProcessBuilder(List.of("bash", "-c", script)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void theGeneratedScriptCompletesCommandsAndOptions() throws Exception {
        assertThat(SCRIPT).as("built by lb-admin-cli's package phase (mvn package or verify from the root)").isRegularFile();
        Process syntax = new ProcessBuilder("bash", "-n", SCRIPT.toString()).redirectErrorStream(true).start();
        assertThat(syntax.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(syntax.exitValue()).as(new String(syntax.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readString(SCRIPT)).contains("complete -F _complete_dicomlb");

        assertThat(complete("dicomlb", "conn").lines()).containsExactly("connections");
        assertThat(complete("dicomlb", "").lines()).contains("run", "validate", "status", "connections", "reload", "drain",
                "gslb", "echo");
        assertThat(complete("dicomlb", "connections", "--").lines()).contains("--ae", "--backend", "--close", "--json",
                "--admin", "--token-file");
        assertThat(complete("dicomlb", "gslb", "").lines()).contains("failback");
    }
}
