package org.dicomlb.harness.bench.proxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to start dicomlb: which checkout's launcher, how many I/O threads, and extra JVM options
 * and {@code dicomlb run} arguments for A/B experiments on engine variants.
 *
 * @param home         a checkout with a built distribution ({@code ./dicomlb} and lb-admin-cli/target)
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

    public Path launcher() {
        return home.resolve("dicomlb");
    }

    /** Fails with what to do when the checkout has no launcher or no build. */
    public void check() {
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
