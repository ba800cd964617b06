package org.dicomlb.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
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
 */
public final class Ports {
    /** Above the well-known and commonly registered service ports a test machine may run. */
    static final int LOW = 20_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
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
            if (bindable(host, port) && bindable("0.0.0.0", port)) {
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
