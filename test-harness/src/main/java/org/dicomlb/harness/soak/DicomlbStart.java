package org.dicomlb.harness.soak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the soak (and the drill) start dicomlb as a process of its own (so its RSS and descriptors can
 * be read from /proc/PID): through a checkout's {@code ./dicomlb} launcher, as {@code scripts/soak}
 * and {@code scripts/drill} do, or as {@code java -cp CLASSPATH org.dicomlb.cli.Main} with the
 * launcher's JVM settings, as the CI tests do with their own class path. {@link #command} gives
 * any dicomlb command line in that form ({@code run}, {@code status}, {@code gslb failback} ...).
 *
 * @param executable the launcher, or the {@code java} binary
 * @param classPath  present for the {@code java} form
 * @param jvmOptions added after the launcher's own, so they win (through {@code DICOMLB_JAVA_OPTS}
 *                   for the launcher)
 */
public record DicomlbStart(Path executable, Optional<String> classPath, List<String> jvmOptions) {
    /**
     * The JVM settings of dicomlb's launcher ({@code ./dicomlb}, with its default heap and direct
     * memory sizes): the {@code java} form starts with them, and so do the benchmark's floors, so that
     * those JVMs differ from the launcher's only in the code they run. {@code NettyRelayTest} checks
     * the launcher still says so.
     */
    public static final List<String> LAUNCHER_JVM = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xms48m", "-Xmn24m", "-Xmx256m",
            "-XX:MaxDirectMemorySize=512m", "-XX:TrimNativeHeapInterval=1000", "-XX:MetaspaceSize=64m",
            "-Dio.netty.tryReflectionSetAccessible=true", "-Dio.netty.leakDetection.samplingInterval=1024");
    /** How long dicomlb lets open connections finish after the soak's SIGTERM. */
    static final String SHUTDOWN_GRACE = "2s";

    public DicomlbStart {
        Objects.requireNonNull(executable, "executable");
        Objects.requireNonNull(classPath, "classPath");
        jvmOptions = List.copyOf(jvmOptions);
        for (String o : jvmOptions) {
            // The launcher word-splits DICOMLB_JAVA_OPTS, so an option cannot carry a space.
            if (o.isBlank() || o.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a dicomlb JVM option must be one word without spaces: '" + o + "'");
            }
        }
    }

    /** The {@code ./dicomlb} launcher of a built checkout, never rebuilding mid-run. */
    public static DicomlbStart launcher(Path home, List<String> jvmOptions) {
        Path launcher = home.resolve("dicomlb");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException(launcher + " is not an executable dicomlb launcher");
        }
        if (!Files.isDirectory(home.resolve("lb-admin-cli/target/lib"))) {
            throw new IllegalArgumentException("dicomlb is not built in " + home
                    + " (no lb-admin-cli/target/lib); run the script without --no-build");
        }
        return new DicomlbStart(launcher, Optional.empty(), jvmOptions);
    }

    /** {@code java ... -cp classPath org.dicomlb.cli.Main} with the launcher's JVM settings plus {@code jvmOptions}. */
    public static DicomlbStart java(Path java, String classPath, List<String> jvmOptions) {
        return new DicomlbStart(java, Optional.of(classPath), jvmOptions);
    }

    /** The same start with more JVM options after these. */
    public DicomlbStart withJvmOptions(List<String> more) {
        List<String> all = new ArrayList<>(jvmOptions);
        all.addAll(more);
        return new DicomlbStart(executable, classPath, all);
    }

    List<String> run(Path config, Path accessLog) {
        return command(List.of("run", "-c", config.toString(), "--access-log", accessLog.toString(),
                "--shutdown-grace", SHUTDOWN_GRACE));
    }

    /** The command line of {@code dicomlb ARGS...} (run, status, gslb failback ...) in this form. */
    public List<String> command(List<String> args) {
        List<String> c = new ArrayList<>(List.of(executable.toString()));
        classPath.ifPresent(cp -> {
            c.addAll(LAUNCHER_JVM);
            c.addAll(jvmOptions);
            c.addAll(List.of("-cp", cp, "org.dicomlb.cli.Main"));
        });
        c.addAll(args);
        return c;
    }

    /** The environment {@link #command} needs besides the inherited one. */
    public Map<String, String> env() {
        // The launcher built the distribution before the run; never rebuild mid-run.
        return classPath.isPresent() ? Map.of()
                : Map.of("DICOMLB_NO_BUILD", "1", "DICOMLB_JAVA_OPTS", String.join(" ", jvmOptions));
    }

    /** For the report: the command with "(class path)" standing for a class path. */
    public String describe() {
        return classPath.isPresent()
                ? executable + " " + String.join(" ", LAUNCHER_JVM) + " " + String.join(" ", jvmOptions)
                        + " -cp (class path) org.dicomlb.cli.Main"
                : executable + " with DICOMLB_JAVA_OPTS=" + String.join(" ", jvmOptions);
    }
}
