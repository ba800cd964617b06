package org.dicomlb.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Ports for test servers whose port must be written into a configuration before they bind.
 *
 * <p>They come from below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}),
 * never from it: a port the kernel hands out for {@code bind(0)} is released before our server
 * binds it, and meanwhile any outgoing connection of the machine (a test client, the relay's
 * backend side, a health probe) may be given it as its local port. That race made CI flaky.
 * Below the ephemeral range nothing takes a port by itself; a port is handed out once per JVM,
 * checked free on the host asked for and on the wildcard address (DCMTK's storescp listens on
 * every address), and JVMs running side by side start at different points of the range.
 *
 * <p>A port handed out is also reserved for every other process on the machine until this JVM
 * exits: a byte-range lock at offset PORT in one shared file (POSIX record locks, released by the
 * kernel when the process ends, however it ends). Without it two test JVMs building side by side
 * (two worktrees, a CI run beside a developer's build) could both find a port free and write it
 * into their configurations before either binds it.
 */
public final class Ports {
    /** Above the well-known and commonly registered service ports a test machine may run. */
    static final int LOW = 20_000;
    /** The file whose byte at offset PORT is locked by the JVM that holds that port. */
    static final Path RESERVATIONS = Path.of(System.getProperty("java.io.tmpdir"), "dicomlb-test-ports.lock");
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    /** Kept reachable for the JVM's lifetime; the kernel drops the locks when the process exits. */
    private static final List<FileLock> HELD = new ArrayList<>();
    private static FileChannel reservations;
    private static int cursor = -1;

    private Ports() {
    }

    /** A free port on {@code host} (and on the wildcard address), never handed out before in this JVM. */
    public static synchronized int free(String host) {
        int high = ephemeralLow();
        int span = high - LOW;
        if (cursor < 0) {
            cursor = (int) (ProcessHandle.current().pid() * 7919 % span);
        }
        for (int tried = 0; tried < span; tried++) {
            int port = LOW + cursor;
            cursor = (cursor + 1) % span;
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            if (bindable(host, port) && bindable("0.0.0.0", port) && reserve(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + LOW + " and " + high + " on " + host);
    }

    /** A free port on 127.0.0.1. */
    public static int free() {
        return free("127.0.0.1");
    }

    /**
     * A port nothing listens on, for tests of refused connections. It is not bound by anything we
     * start, and below the ephemeral range no outgoing connection can occupy it.
     */
    public static int closed(String host) {
        return free(host);
    }

    /** True if no other process holds {@code port}; it is then held by this one until it exits. */
    static synchronized boolean reserve(int port) {
        try {
            if (reservations == null) {
                reservations = FileChannel.open(RESERVATIONS, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            FileLock lock = reservations.tryLock(port, 1, false);
            if (lock == null) {
                return false;
            }
            HELD.add(lock);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve test ports in " + RESERVATIONS, e);
        }
    }

    private static boolean bindable(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            // As our listeners do: a port whose last connection is in TIME_WAIT is usable.
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (32768 on a default Linux). */
    static int ephemeralLow() {
        try {
            // Read as a stream: /proc files report size 0, and a read sized by it may come back short.
            String text;
            try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            }
            String[] range = text.strip().split("\\s+");
            int low = Integer.parseInt(range[0]);
            if (low <= LOW + 1000) {
                throw new IllegalStateException("the ephemeral port range starts at " + low
                        + "; tests need it to start above " + (LOW + 1000) + " (sysctl net.ipv4.ip_local_port_range)");
            }
            return low;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ephemeral port range", e);
        }
    }
}
