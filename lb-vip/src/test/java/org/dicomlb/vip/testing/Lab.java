package org.dicomlb.vip.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces one test creates and removes: names unique per run ({@code dlbv<pid><rand>-role}),
 * every process started in them tracked, and {@link #close()} kills whatever still runs inside
 * them and deletes them. Interfaces are created inside the namespaces only (the veth's bridge end
 * in the bridge namespace, its other end as {@code eth0} in the node's), so nothing is added to
 * the host's own network, and no packet leaves the namespaces.
 */
public final class Lab implements AutoCloseable {
    private final String prefix = "dlbv" + ProcessHandle.current().pid() + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final List<Process> processes = new ArrayList<>();
    private String bridge;

    public Lab() {
        Tools.requireRoot();
    }

    /** The namespace of {@code role}, created on first use with lo up. */
    public synchronized String ns(String role) {
        String existing = namespaces.get(role);
        if (existing != null) {
            return existing;
        }
        String name = prefix + "-" + role;
        run("ip", "netns", "add", name);
        namespaces.put(role, name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** A bridge (in namespace {@code br}) that node namespaces join with {@link #attach}. */
    public synchronized String bridge() {
        if (bridge == null) {
            bridge = ns("br");
            run("ip", "-n", bridge, "link", "add", "br0", "type", "bridge");
            // No STP, no forwarding delay: ports forward as soon as they are up.
            run("ip", "-n", bridge, "link", "set", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0");
            run("ip", "-n", bridge, "link", "set", "br0", "up");
        }
        return bridge;
    }

    /** A veth from the bridge (port named {@code role}) to {@code eth0} in the role's namespace, with {@code cidr} on it. */
    public void attach(String role, String cidr) {
        String br = bridge();
        String node = ns(role);
        run("ip", "-n", br, "link", "add", role, "type", "veth", "peer", "name", "eth0", "netns", node);
        run("ip", "-n", br, "link", "set", role, "master", "br0", "up");
        run("ip", "-n", node, "addr", "add", cidr, "dev", "eth0");
        run("ip", "-n", node, "link", "set", "eth0", "up");
    }

    /** Takes the bridge port of {@code role} down or up: the node sees its link (carrier) go away. */
    public void port(String role, boolean up) {
        run("ip", "-n", bridge(), "link", "set", role, up ? "up" : "down");
    }

    /** Starts {@code command} inside {@code role}'s namespace; output to {@code log}. Killed at close. */
    public Process spawn(String role, List<String> command, Path log) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        cmd.addAll(command);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            synchronized (this) {
                processes.add(p);
            }
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd, e);
        }
    }

    /** {@code ip netns exec NS cmd...}, waited for; its output, or an error with it. */
    public String exec(String role, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    /** The IPv4 addresses on {@code role}'s eth0, as {@code ip -o -4 addr} prints them. */
    public String addresses(String role) {
        return run("ip", "-n", ns(role), "-o", "-4", "addr", "show", "dev", "eth0");
    }

    /** The pids of the processes running in {@code role}'s namespace. */
    public List<Long> pids(String role) {
        String out = run("ip", "netns", "pids", ns(role));
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
    }

    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 30s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    /** Kills every process started here and every process still inside the namespaces, then deletes them. */
    @Override
    public synchronized void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> names = new ArrayList<>(namespaces.values());
        java.util.Collections.reverse(names);
        for (String ns : names) {
            try {
                // Processes that something we started left behind in the namespace (keepalived's VRRP child ...).
                for (String pid : run("ip", "netns", "pids", ns).split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
                        });
                    }
                }
            } catch (RuntimeException e) {
                System.err.println("lab cleanup: " + e.getMessage());
            }
            try {
                run("ip", "netns", "del", ns);
            } catch (RuntimeException e) {
                System.err.println("lab cleanup: " + e.getMessage());
            }
        }
        namespaces.clear();
    }
}
