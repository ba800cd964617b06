package org.dicomlb.l4.setup;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One command of a setup, with why it is there.
 *
 * @param stdin what the command reads on standard input (an nft script), null for none
 */
public record Step(String why, List<String> command, String stdin) {
    public Step {
        Objects.requireNonNull(why, "why");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a step needs a command");
        }
    }

    public Step(String why, String... command) {
        this(why, List.of(command), null);
    }

    /** As a shell line an operator can paste (a script on stdin as a here-document). */
    public String shell() {
        String line = command.stream().map(Step::quote).collect(Collectors.joining(" "));
        return stdin == null ? line : line + " <<'EOF'\n" + stdin + (stdin.endsWith("\n") ? "" : "\n") + "EOF";
    }

    /**
     * Runs the command (after {@code launcher}, e.g. {@code ip netns exec NS}), waits up to 30 s,
     * and returns its output; throws with the output when it fails.
     */
    public String run(List<String> launcher) throws java.io.IOException {
        List<String> cmd = new java.util.ArrayList<>(launcher);
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.outputWriter()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new java.io.IOException(shell() + ": did not finish within 30s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new java.io.IOException("interrupted: " + shell(), e);
        }
        if (p.exitValue() != 0) {
            throw new java.io.IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    private static String quote(String word) {
        return word.matches("[A-Za-z0-9_./:=@%+,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
