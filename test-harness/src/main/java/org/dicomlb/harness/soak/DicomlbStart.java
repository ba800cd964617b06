package org.dicomlb.harness.soak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the soak starts dicomlb as a process of its own (so its RSS and descriptors can be read from
 * /proc/PID): through a checkout's {@code ./dicomlb} launcher, as {@code scripts/soak} does, or as
 * {@code java -cp CLASSPATH org.dicomlb.cli.Main}, as the CI test does with its own class path.
 * Both end in {@code run -c FILE --access-log FILE}.
 *
 * @param command what comes before {@code run}
 * @param env     added to the environment
 */
public record DicomlbStart(List<String> command, Map<String, String> env) {
    /** The launcher's JVM settings (see ./dicomlb), so both ways run the same JVM configuration. */
    static final List<String> LAUNCHER_JVM = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xms32m", "-Xmx256m",
            "-XX:MaxDirectMemorySize=512m", "-Dio.netty.tryReflectionSetAccessible=true");
    /** How long dicomlb lets open connections finish after the soak's SIGTERM. */
    static final String SHUTDOWN_GRACE = "2s";

    public DicomlbStart {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to start dicomlb");
        }
    }

    /**
     * The {@code ./dicomlb} launcher of a built checkout, never rebuilding mid-run.
     *
     * @param jvmOptions added through {@code DICOMLB_JAVA_OPTS} (one word each)
     */
    public static DicomlbStart launcher(Path home, List<String> jvmOptions) {
        Path launcher = home.resolve("dicomlb");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException(launcher + " is not an executable dicomlb launcher");
        }
        if (!Files.isDirectory(home.resolve("lb-admin-cli/target/lib"))) {
            throw new IllegalArgumentException("dicomlb is not built in " + home
                    + " (no lb-admin-cli/target/lib); run scripts/soak without --no-build");
        }
        for (String o : jvmOptions) {
            if (o.isBlank() || o.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a dicomlb JVM option must be one word without spaces: '" + o + "'");
            }
        }
        return new DicomlbStart(List.of(launcher.toString()),
                Map.of("DICOMLB_NO_BUILD", "1", "DICOMLB_JAVA_OPTS", String.join(" ", jvmOptions)));
    }

    /** {@code java ... -cp classPath org.dicomlb.cli.Main} with the launcher's JVM settings plus {@code jvmOptions}. */
    public static DicomlbStart java(Path java, String classPath, List<String> jvmOptions) {
        List<String> c = new ArrayList<>();
        c.add(Objects.requireNonNull(java, "java").toString());
        c.addAll(LAUNCHER_JVM);
        c.addAll(jvmOptions);
        c.addAll(List.of("-cp", classPath, "org.dicomlb.cli.Main"));
        return new DicomlbStart(c, Map.of());
    }

    /** The command for a report: a class path stands as "(class path)". */
    String describe() {
        List<String> c = new ArrayList<>(command);
        int cp = c.indexOf("-cp");
        if (cp >= 0 && cp + 1 < c.size()) {
            c.set(cp + 1, "(class path)");
        }
        return String.join(" ", c) + (env.isEmpty() ? "" : " with " + new java.util.TreeMap<>(env));
    }

    List<String> run(Path config, Path accessLog) {
        List<String> c = new ArrayList<>(command);
        c.addAll(List.of("run", "-c", config.toString(), "--access-log", accessLog.toString(),
                "--shutdown-grace", SHUTDOWN_GRACE));
        return c;
    }
}
