package org.dicomlb.vip.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.vip.internal.AtomicFiles;

/** One appliance of a pair in the namespace tests: a {@link VipNode} JVM in its namespace, and its files. */
public final class Node {
    private final Lab lab;
    private final String role;
    private final Path dir;
    private final int port;
    private Process process;

    public Node(Lab lab, String role, Path parent, String yaml, int port) throws IOException {
        this.lab = lab;
        this.role = role;
        this.dir = Files.createDirectories(parent.resolve(role));
        this.port = port;
        Files.writeString(dir.resolve("dicomlb.yaml"), yaml);
        Files.writeString(dir.resolve("control"), "");
    }

    public String role() {
        return role;
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return dir.resolve("node.log");
    }

    /** Starts the node's JVM inside its namespace (no fork between: {@code ip netns exec} execs java). */
    public void start() {
        String java = ProcessHandle.current().info().command().orElseThrow();
        try {
            Files.deleteIfExists(dir.resolve("status"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        process = lab.spawn(role, List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx96m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=vipnode-logback.xml",
                "-cp", System.getProperty("java.class.path"), VipNode.class.getName(),
                dir.resolve("dicomlb.yaml").toString(), dir.resolve("run").toString(), dir.resolve("control").toString(),
                dir.resolve("status").toString(), role, Integer.toString(port)), log());
    }

    /** What the fake engine reports from now on: e.g. {@code pool-down}, {@code demote}; nothing means all serve. */
    public void control(String... words) {
        try {
            AtomicFiles.write(dir.resolve("control"), String.join("\n", words) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node's last published status (state, priority, serving, demoted, pid, restarts, reasons). */
    public Map<String, String> status() {
        Map<String, String> m = new HashMap<>();
        try {
            Path f = dir.resolve("status");
            if (Files.exists(f)) {
                for (String kv : Files.readString(f).strip().split(" ")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        m.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
        } catch (IOException e) {
            return m;
        }
        return m;
    }

    /** Waits until every {@code key=value} given holds in the node's status. */
    public void await(Duration within, String... expected) {
        Wait.until(within, () -> role + " to report " + String.join(" ", expected) + "; it reports " + status()
                + (process != null && !process.isAlive() ? " (its JVM exited " + process.exitValue() + ")" : ""), () -> {
            Map<String, String> s = status();
            for (String kv : expected) {
                int eq = kv.indexOf('=');
                if (!kv.substring(eq + 1).equals(s.get(kv.substring(0, eq)))) {
                    return false;
                }
            }
            return true;
        });
    }

    public String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log()) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
