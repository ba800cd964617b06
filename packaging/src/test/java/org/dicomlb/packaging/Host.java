package org.dicomlb.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Commands on this machine for the package test: each bounded in time, its output captured. */
final class Host {
    private Host() {
    }

    /** What a command did. */
    record Run(List<String> command, int exit, String output) {
        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exit + "\n" + output;
        }
    }

    static Run run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of(), 300);
    }

    /** Runs {@code command} with {@code env} added, stdout and stderr together; killed after {@code seconds}. */
    static Run run(List<String> command, Map<String, String> env, int seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("dicomlb-it-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Run(command, -1, Files.readString(out, StandardCharsets.UTF_8) + "\n(killed after " + seconds + " s)");
            }
            return new Run(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static Run run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }

    /** Fails loudly, naming the script that installs it, when a tool the test needs is missing. */
    static void require(String... tools) throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String t : tools) {
            if (run("sh", "-c", "command -v " + t).exit() != 0) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("the package test needs " + missing + " on PATH: run scripts/install-test-deps.sh (as root)");
        }
    }

    static boolean userExists(String name) throws IOException, InterruptedException {
        return run("getent", "passwd", name).exit() == 0;
    }

    static boolean groupExists(String name) throws IOException, InterruptedException {
        return run("getent", "group", name).exit() == 0;
    }

    /** dpkg's status of the package: "install ok installed", "deinstall ok config-files", or "" when unknown. */
    static String packageStatus(String pkg) throws IOException, InterruptedException {
        Run r = run("dpkg-query", "-W", "-f=${Status}", pkg);
        return r.exit() == 0 ? r.output().trim() : "";
    }
}
