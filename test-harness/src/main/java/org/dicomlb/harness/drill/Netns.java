package org.dicomlb.harness.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.dicomlb.harness.bench.process.Children;
import org.dicomlb.harness.bench.process.Server;

/**
 * The network namespaces of one drill: created here with names unique per run
 * ({@code dlbd<pid><random>-ROLE}), every process started in them tracked, and {@link #close()}
 * (also run by a JVM shutdown hook, so SIGINT of {@code scripts/drill} cleans up too) kills every
 * process still inside them and deletes them. Interfaces are created inside the namespaces only,
 * so nothing is added to the host's own network and no packet leaves them.
 *
 * <p>Each namespace gets an anchor process ({@code sleep}) at creation: reading its
 * {@code /proc/PID/net/...} shows that namespace's sockets and addresses without running
 * anything in it.
 */
final class Netns implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final String prefix = "dlbd" + ProcessHandle.current().pid()
            + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final Map<String, Process> anchors = new LinkedHashMap<>();
    private final Children children = new Children();
    private final Path scratch;
    private final Thread hook = new Thread(this::cleanUp, "drill-netns-reaper");
    private boolean closed;

    Netns(Path scratch) throws IOException {
        if (!isRoot()) {
            throw new IllegalStateException("the drill creates network namespaces and needs root");
        }
        this.scratch = Files.createDirectories(scratch);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    String prefix() {
        return prefix;
    }

    Children children() {
        return children;
    }

    /** The namespace of {@code role}, created on first use with lo up and an anchor process. */
    synchronized String ns(String role) throws IOException, InterruptedException {
        String existing = namespaces.get(role);
        if (existing != null) {
            return existing;
        }
        if (closed) {
            // The drill is being torn down (a shutdown hook may run beside the drill's own threads):
            // never create a namespace that nobody would delete.
            throw new IOException("the drill's namespaces are deleted; not creating " + role);
        }
        String name = prefix + "-" + role;
        host("ip", "netns", "add", name);
        namespaces.put(role, name);
        host("ip", "-n", name, "link", "set", "lo", "up");
        Process anchor = new ProcessBuilder("ip", "netns", "exec", name, "sleep", "86400")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        anchors.put(role, anchor);
        return name;
    }

    /** A bridge {@code br0} in {@code role}'s namespace: a switch, no STP, ports forward at once. */
    void bridge(String role) throws IOException, InterruptedException {
        String ns = ns(role);
        host("ip", "-n", ns, "link", "add", "name", "br0", "type", "bridge");
        host("ip", "-n", ns, "link", "set", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0");
        host("ip", "-n", ns, "link", "set", "br0", "up");
    }

    /**
     * A veth from the bridge in {@code switchRole} (its port named {@code port}) to {@code ifname}
     * in {@code role}'s namespace, with {@code cidr} on it and, when {@code gateway} is not null, the
     * default route through it.
     */
    void plug(String switchRole, String port, String role, String ifname, String cidr, String gateway)
            throws IOException, InterruptedException {
        String sw = ns(switchRole);
        String node = ns(role);
        host("ip", "-n", sw, "link", "add", "name", port, "type", "veth", "peer", "name", ifname, "netns", node);
        host("ip", "-n", sw, "link", "set", port, "master", "br0", "up");
        host("ip", "-n", node, "addr", "add", cidr, "dev", ifname);
        host("ip", "-n", node, "link", "set", ifname, "up");
        if (gateway != null) {
            host("ip", "-n", node, "route", "add", "default", "via", gateway);
        }
    }

    /** Runs {@code command} inside {@code role}'s namespace to completion (bounded); its result. */
    Children.Exit run(String role, Duration timeout, List<String> command) throws IOException, InterruptedException {
        return run(role, timeout, command, Map.of());
    }

    /** As {@link #run(String, Duration, List)} with {@code env} added to the inherited environment. */
    Children.Exit run(String role, Duration timeout, List<String> command, Map<String, String> env)
            throws IOException, InterruptedException {
        return children.run(inside(role, command), env, timeout, scratch);
    }

    /** As {@link #run}, failing with the command's own words when it exits non-zero. */
    String runOk(String role, String... command) throws IOException, InterruptedException {
        Children.Exit e = run(role, COMMAND_TIMEOUT, List.of(command));
        if (!e.ok()) {
            throw new IOException(e.describe());
        }
        return e.stdout();
    }

    /** Starts a long-running process inside {@code role}'s namespace; output appended to {@code log}. */
    Server start(String role, String name, List<String> command, Map<String, String> env, Path log)
            throws IOException, InterruptedException {
        return children.start(name, inside(role, command), env, log);
    }

    List<String> inside(String role, List<String> command) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        c.addAll(command);
        return c;
    }

    /**
     * Whether something in {@code role}'s namespace listens on TCP {@code port}, from the kernel's
     * tables (both: Netty's epoll sockets are IPv6 sockets even when bound to an IPv4 address).
     */
    boolean listening(String role, int port) throws IOException, InterruptedException {
        ns(role);
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("tcp", "tcp6")) {
            Path p = Path.of("/proc", Long.toString(anchors.get(role).pid()), "net", table);
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code address} is configured on an interface in {@code role}'s namespace (a local /32 in its FIB). */
    boolean hasAddress(String role, String address) throws IOException, InterruptedException {
        ns(role);
        String trie = Files.readString(Path.of("/proc", Long.toString(anchors.get(role).pid()), "net", "fib_trie"));
        String entry = "|-- " + address + "\n";
        for (int at = trie.indexOf(entry); at >= 0; at = trie.indexOf(entry, at + entry.length())) {
            int next = at + entry.length();
            int eol = trie.indexOf('\n', next);
            if (trie.substring(next, eol < 0 ? trie.length() : eol).contains("/32 host LOCAL")) {
                return true;
            }
        }
        return false;
    }

    /**
     * SIGKILL to every process in {@code role}'s namespace but its anchor, as a power cut would end
     * them (dicomlb, its keepalived ...); returns once they are gone. The count killed.
     */
    int killAll(String role) throws IOException, InterruptedException {
        String ns = ns(role);
        long anchor = anchors.get(role).pid();
        List<ProcessHandle> victims = new ArrayList<>();
        for (String pid : host("ip", "netns", "pids", ns).split("\\s+")) {
            if (!pid.isBlank() && Long.parseLong(pid) != anchor) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(victims::add);
            }
        }
        victims.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : victims) {
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        return victims.size();
    }

    /** Runs {@code ip -n NS ARGS...} against {@code role}'s namespace from the host. */
    String ip(String role, String... args) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("ip", "-n", ns(role)));
        c.addAll(List.of(args));
        return host(c.toArray(String[]::new));
    }

    /** Runs a command in the host's namespace (ip netns, ip -n ...), bounded; fails with its output. */
    static String host(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT.toSeconds() + " s");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs the same clean-up
        }
    }

    /** Every process we started, then whatever is still inside a namespace, then the namespaces. */
    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        children.close();
        anchors.values().forEach(Process::destroyForcibly);
        List<String> names = new ArrayList<>(namespaces.values());
        Collections.reverse(names);
        for (String ns : names) {
            try {
                // keepalived's VRRP child, storescp's forked children ...: anything left in the namespace.
                for (String pid : host("ip", "netns", "pids", ns).split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
                        });
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("drill clean-up: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : names) {
            try {
                host("ip", "netns", "del", ns);
            } catch (IOException | RuntimeException e) {
                System.err.println("drill clean-up: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        namespaces.clear();
    }
}
