package org.dicomlb.l4.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dicomlb.l4.L4Exception;

/**
 * The host dicomlb runs on: nft for the tables, {@code /proc} and {@code /sys} for neighbours,
 * interfaces and forwarding. With a launcher (e.g. {@code ip netns exec NS}) every command and
 * file read goes through it, so a test can drive a network namespace from outside.
 */
public final class LocalHost implements Host {
    private static final String INSTALL = "nft (Debian package nftables) is not installed;"
            + " install it with: apt-get install nftables";
    private static final long TIMEOUT_SECONDS = 30;
    /** The discard service: a probe datagram needs no listener, only the neighbour's MAC. */
    private static final int DISCARD = 9;

    private final List<String> launcher;
    private final Optional<Path> nft;

    public LocalHost(List<String> launcher) {
        this.launcher = List.copyOf(launcher);
        this.nft = find("nft");
    }

    public static LocalHost local() {
        return new LocalHost(List.of());
    }

    static Optional<Path> find(String name) {
        List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String d : dirs) {
            Path p = Path.of(d.isBlank() ? "." : d, name);
            if (!d.isBlank() && Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private String nftPath() throws L4Exception {
        return nft.orElseThrow(() -> new L4Exception(INSTALL)).toString();
    }

    @Override
    public void nft(String script) throws L4Exception {
        Result r = run(List.of(nftPath(), "-f", "-"), script);
        if (r.exit() != 0) {
            throw new L4Exception("nft refused the rules: " + r.output().strip());
        }
    }

    @Override
    public void nftCheck(String script) throws L4Exception {
        Result r = run(List.of(nftPath(), "-c", "-f", "-"), script);
        if (r.exit() != 0) {
            throw new L4Exception("nft -c refused the rules: " + r.output().strip());
        }
    }

    @Override
    public String counters(String family, String table) throws L4Exception {
        Result r = run(List.of(nftPath(), "-j", "list", "counters", "table", family, table), null);
        if (r.exit() != 0) {
            if (r.output().contains("No such file or directory")) {
                return "";
            }
            throw new L4Exception("nft could not list the counters: " + r.output().strip());
        }
        return r.output();
    }

    @Override
    public String arp() throws L4Exception {
        return read("/proc/net/arp");
    }

    @Override
    public Optional<String> mac(String iface) throws L4Exception {
        Path p = Path.of("/sys/class/net", iface, "address");
        if (launcher.isEmpty()) {
            if (!Files.exists(p)) {
                return Optional.empty();
            }
        } else if (run(List.of("test", "-e", p.toString()), null).exit() != 0) {
            return Optional.empty();
        }
        String mac = read(p.toString()).strip().toLowerCase(Locale.ROOT);
        return mac.isEmpty() ? Optional.empty() : Optional.of(mac);
    }

    @Override
    public boolean forwardsIpv4() throws L4Exception {
        return read("/proc/sys/net/ipv4/ip_forward").strip().equals("1");
    }

    @Override
    public void probe(InetAddress address) {
        try {
            if (launcher.isEmpty()) {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ch.send(ByteBuffer.wrap(new byte[] {0}), new InetSocketAddress(address, DISCARD));
                }
            } else {
                run(List.of("bash", "-c", "echo > /dev/udp/" + address.getHostAddress() + "/" + DISCARD), null);
            }
        } catch (IOException | L4Exception e) {
            // An unreachable network refuses at once; the neighbour table will say it has no MAC.
        }
    }

    private String read(String file) throws L4Exception {
        if (launcher.isEmpty()) {
            try {
                return Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new L4Exception("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        Result r = run(List.of("cat", file), null);
        if (r.exit() != 0) {
            throw new L4Exception("cannot read " + file + ": " + r.output().strip());
        }
        return r.output();
    }

    private record Result(int exit, String output) {
    }

    private Result run(List<String> command, String stdin) throws L4Exception {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(command);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new L4Exception("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
        // The output is read while the script is written, so neither side can block the other.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, Thread::startVirtualThread);
        try (OutputStream out = p.getOutputStream()) {
            if (stdin != null) {
                out.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // It exited without reading all of it; its exit status and output say why.
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new L4Exception(String.join(" ", cmd) + " did not finish within " + TIMEOUT_SECONDS + "s");
            }
            return new Result(p.exitValue(), output.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new L4Exception("interrupted running " + String.join(" ", cmd), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new L4Exception("cannot read the output of " + String.join(" ", cmd), e);
        }
    }
}
