package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.testkit.Ports;
import org.dicomlb.engine.testing.TestBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dicomlb run} as a real process: SIGHUP reloads, SIGTERM drains then exits 0. */
class ProcessSignalsTest {
    @TempDir
    Path dir;

    private Process process;
    private TestBackend backend;

    @AfterEach
    void cleanUp() {
        if (process != null) {
            process.destroyForcibly();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static void signal(Process p, String sig) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    /** The threads of {@code p}: each one's /proc directory and its name, as Linux keeps it. */
    private static Map<Path, String> threads(Process p) throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
            Map<Path, String> threads = new LinkedHashMap<>();
            for (Path t : tasks.toList()) {
                try {
                    threads.put(t, Files.readString(t.resolve("comm")).strip());
                } catch (java.nio.file.NoSuchFileException ended) {
                    // A thread that ended since the listing.
                }
            }
            return threads;
        }
    }

    private static List<String> threadNames(Process p) throws IOException {
        return List.copyOf(threads(p).values());
    }

    /** The {@code Cpus_allowed_list} of each of {@code p}'s I/O threads (which run until the process ends). */
    private static List<String> ioThreadCpus(Process p) throws IOException {
        List<String> cpus = new java.util.ArrayList<>();
        for (Map.Entry<Path, String> t : threads(p).entrySet()) {
            if (t.getValue().startsWith("dicomlb-io-")) {
                cpus.add(cpusAllowed(t.getKey().resolve("status")));
            }
        }
        return cpus;
    }

    /** The {@code Cpus_allowed_list} of a /proc status file ("0-3"). */
    private static String cpusAllowed(Path status) throws IOException {
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
                .substring("Cpus_allowed_list:".length()).strip();
    }

    private String connectWithin(InetSocketAddress a, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return Client.whoServes(a, null);
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing served " + a + " within " + millis + "ms; " + said(), last);
    }

    /** What the process printed, for failure messages. */
    private String said() {
        Path out = dir.resolve("out.txt");
        try {
            return "the process said:\n" + (Files.exists(out) ? Files.readString(out) : "(nothing)");
        } catch (IOException e) {
            return "its output cannot be read: " + e;
        }
    }

    @Test
    void sighupReloadsAndSigtermDrains() throws Exception {
        backend = TestBackend.start("b1", "127.0.0.11");
        int first = Ports.free("127.0.0.1");
        int second = Ports.free("127.0.0.1");
        Path config = dir.resolve("dicomlb.yaml");
        Path accessLog = dir.resolve("access.log");
        String pool = """
                pools:
                  - name: p
                    backends: [ { name: b1, address: %s } ]
                """.formatted(backend.hostPort());
        Files.writeString(config, "listeners:\n  - { name: one, bind: 127.0.0.1:%d, pool: p }\n".formatted(first) + pool);

        String java = ProcessHandle.current().info().command().orElseThrow();
        // env --default-signal=HUP: a build started under nohup (SIGHUP ignored, which every child
        // inherits) must still test what SIGHUP does to a process started normally.
        process = new ProcessBuilder(List.of("env", "--default-signal=HUP", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "-c", config.toString(), "--access-log", accessLog.toString(), "--shutdown-grace", "20s",
                "--cpu-affinity", "auto"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertThat(connectWithin(new InetSocketAddress("127.0.0.1", first), 20_000)).isEqualTo("b1");
        // Nothing configures a GSLB, kernel listeners or dns backends: none of their threads runs
        // (the GSLB's control thread and DNS loops, the kernel listeners' thread, the resolver's
        // loop and its callbacks' thread; /proc shows a name's first 15 characters).
        assertThat(threadNames(process)).as(this::said).anyMatch(n -> n.startsWith("dicomlb-io-"))
                .noneMatch(n -> n.startsWith("dicomlb-gslb") || n.equals("dicomlb-l4") || n.startsWith("dicomlb-dns")
                        || n.startsWith("dicomlb-resolv"));
        // Each I/O thread running is bound to a CPU of its own, as --cpu-affinity auto asks.
        List<String> ioCpus = ioThreadCpus(process);
        assertThat(ioCpus).as(this::said).isNotEmpty().doesNotHaveDuplicates()
                .allSatisfy(c -> assertThat(c).as("a single CPU").matches("\\d+"));

        // A connection held open across both reloads below keeps relaying.
        Client held = Client.connect(new InetSocketAddress("127.0.0.1", first));
        assertThat(held.greeting()).isEqualTo("b1");

        // An invalid edit plus SIGHUP: rejected, the process keeps serving.
        Files.writeString(config, "listeners: [ { name: one, bind: 127.0.0.1:%d, pool: nope } ]\n".formatted(first) + pool);
        signal(process, "HUP");
        Thread.sleep(1000);
        assertThat(process.isAlive()).as(this::said).isTrue();
        assertThat(Client.whoServes(new InetSocketAddress("127.0.0.1", first), null)).isEqualTo("b1");

        // A valid edit plus SIGHUP: the second listener appears.
        Files.writeString(config, """
                listeners:
                  - { name: one, bind: 127.0.0.1:%d, pool: p }
                  - { name: two, bind: 127.0.0.1:%d, pool: p }
                """.formatted(first, second) + pool);
        signal(process, "HUP");
        assertThat(connectWithin(new InetSocketAddress("127.0.0.1", second), 20_000)).isEqualTo("b1");
        try (held) {
            held.socket().getOutputStream().write("held open\n".getBytes());
            assertThat(new String(held.socket().getInputStream().readNBytes(10))).isEqualTo("held open\n");
        }

        // SIGTERM with an open connection: no new connections, the open one keeps working.
        try (Client open = Client.connect(new InetSocketAddress("127.0.0.1", first))) {
            assertThat(open.greeting()).isEqualTo("b1");
            signal(process, "TERM");
            Thread.sleep(1000);
            assertThat(process.isAlive()).isTrue();
            open.socket().getOutputStream().write("still here\n".getBytes());
            assertThat(new String(open.socket().getInputStream().readNBytes(11))).isEqualTo("still here\n");
        }
        assertThat(process.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();

        String out = Files.readString(dir.resolve("out.txt"));
        assertThat(out).contains("reload rejected", "uses pool 'nope'", "configuration reloaded", "draining", "stopped");
        List<String> lines = Files.readAllLines(accessLog);
        assertThat(lines).hasSizeGreaterThanOrEqualTo(4);
        assertThat(lines).allSatisfy(l -> assertThat(l).matches(
                "\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z listener=\\S+ mode=tcp client=127\\.0\\.0\\.1:\\d+ pool=p backend=b1 "
                        + "server=127\\.0\\.0\\.11:\\d+ attempts=1 bytes_in=\\d+ bytes_out=\\d+ duration_ms=\\d+ end=\\S+"));
        assertThat(lines.getLast()).contains("bytes_in=11", "bytes_out=14", "end=client_close");
        assertThat(new File(dir.toFile(), "out.txt")).exists();
    }

    /**
     * Started with SIGHUP ignored (nohup does that, and the JVM then leaves the signal alone), the
     * process says so at startup and points to the other ways to reload, instead of silently
     * reloading nothing on kill -HUP.
     */
    @Test
    void startedWithSighupIgnoredItSaysHowToReload() throws Exception {
        backend = TestBackend.start("b1", "127.0.0.11");
        int port = Ports.free("127.0.0.1");
        Path config = dir.resolve("dicomlb.yaml");
        Files.writeString(config, """
                listeners: [ { name: one, bind: 127.0.0.1:%d, pool: p } ]
                pools: [ { name: p, backends: [ { name: b1, address: %s } ] } ]
                """.formatted(port, backend.hostPort()));
        String java = ProcessHandle.current().info().command().orElseThrow();
        // trap '' HUP sets SIGHUP to ignored, and exec keeps that for the JVM, as nohup would.
        String command = "trap '' HUP; exec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' " + Main.class.getName() + " run -c '" + config + "'";
        process = new ProcessBuilder("bash", "-c", command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertThat(connectWithin(new InetSocketAddress("127.0.0.1", port), 20_000)).isEqualTo("b1");
        assertThat(Files.readString(dir.resolve("out.txt"))).contains("SIGHUP is ignored by this process",
                "dicomlb reload");
        // Without --cpu-affinity auto the kernel places the I/O threads: each may run where the process may.
        String processCpus = cpusAllowed(Path.of("/proc", Long.toString(process.pid()), "status"));
        assertThat(ioThreadCpus(process)).isNotEmpty().allSatisfy(c -> assertThat(c).isEqualTo(processCpus));
        signal(process, "HUP");
        Thread.sleep(500);
        assertThat(process.isAlive()).as("an ignored SIGHUP does not end it").isTrue();
        signal(process, "TERM");
        assertThat(process.waitFor(15, TimeUnit.SECONDS)).isTrue();
    }
}
