package org.dicomlb.harness.bench.proxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to start dicomlb: which checkout's launcher, how many I/O threads, and extra JVM options
 * and {@code dicomlb run} arguments for A/B experiments on engine variants.
 *
 * @param home         a checkout with a built distribution ({@code ./dicomlb} and lb-admin-cli/target), or an
 *                     unpacked package ({@code bin/dicomlb}, {@code lib/}, {@code runtime/}: the packaged launcher,
 *                     with its bundled runtime and the AOT cache trained at build time)
 * @param jvmOptions   passed through {@code DICOMLB_JAVA_OPTS}, e.g. {@code -XX:+UseParallelGC}
 * @param runArguments appended to {@code dicomlb run}, e.g. {@code --transport=nio}
 */
public record DicomlbLaunch(Path home, int ioThreads, List<String> jvmOptions, List<String> runArguments) {
    public DicomlbLaunch {
        Objects.requireNonNull(home, "home");
        jvmOptions = List.copyOf(jvmOptions);
        runArguments = List.copyOf(runArguments);
        if (ioThreads < 1) {
            throw new IllegalArgumentException("io threads must be at least 1");
        }
        for (String o : jvmOptions) {
            // The launcher word-splits DICOMLB_JAVA_OPTS, so an option cannot carry a space.
            if (o.isBlank() || o.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a dicomlb JVM option must be one word without spaces: '" + o + "'");
            }
        }
    }

    /**
     * Whether dicomlb binds its I/O threads to CPUs of their own: when the run arguments say
     * {@code --cpu-affinity auto} (its default is {@code off}; the last one given counts).
     */
    public boolean bindsIoThreads() {
        boolean binds = false;
        for (int i = 0; i < runArguments.size(); i++) {
            String a = runArguments.get(i);
            if (a.startsWith("--cpu-affinity=")) {
                binds = a.equals("--cpu-affinity=auto");
            } else if (a.equals("--cpu-affinity") && i + 1 < runArguments.size()) {
                binds = runArguments.get(i + 1).equals("auto");
            }
        }
        return binds;
    }

    public Path launcher() {
        return packaged() ? home.resolve("bin/dicomlb") : home.resolve("dicomlb");
    }

    /** True for an unpacked package (the .tar.gz or /usr/lib/dicomlb) rather than a source checkout. */
    public boolean packaged() {
        return !Files.exists(home.resolve("dicomlb")) && Files.isExecutable(home.resolve("bin/dicomlb"));
    }

    /** Fails with what to do when the checkout has no launcher or no build. */
    public void check() {
        if (packaged()) {
            if (!Files.isDirectory(home.resolve("lib")) || !Files.isDirectory(home.resolve("runtime"))) {
                throw new IllegalArgumentException(home + " has bin/dicomlb but no lib/ and runtime/: not an unpacked dicomlb package");
            }
            return;
        }
        if (!Files.isExecutable(launcher())) {
            throw new IllegalArgumentException(launcher() + " is not an executable dicomlb launcher; pass --dicomlb-home");
        }
        Path target = home.resolve("lb-admin-cli/target/lib");
        if (!Files.isDirectory(target)) {
            throw new IllegalArgumentException("dicomlb is not built in " + home
                    + " (no lb-admin-cli/target/lib); run: mvn -DskipTests -pl lb-admin-cli -am package");
        }
    }
}
