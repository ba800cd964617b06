package org.dicomlb.harness.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tcp listener's backend, inside the soak's JVM: greets each connection with its name and a
 * newline, echoes every byte, and closes when the client has half-closed and everything is echoed.
 * A virtual thread per connection, so a flood of a few hundred idle connections costs little.
 * At most {@link #MAX_CONNECTIONS} at once: further ones are closed at once, which the soak's
 * clients would count as failures (the soak never opens that many).
 */
final class EchoBackend implements AutoCloseable {
    static final int MAX_CONNECTIONS = 4096;

    private final String name;
    private final byte[] greeting;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private EchoBackend(String name, ServerSocket server) {
        this.name = name;
        this.greeting = (name + "\n").getBytes(StandardCharsets.US_ASCII);
        this.server = server;
        Thread.ofVirtual().name("soak-echo-" + name).start(this::acceptLoop);
    }

    static EchoBackend start(String name, InetSocketAddress listen) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(listen, 1024);
        } catch (IOException e) {
            s.close();
            throw new IOException("echo backend " + name + " cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        return new EchoBackend(name, s);
    }

    String name() {
        return name;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
                // EMFILE and the like: the clients see it; back off instead of spinning.
                if (!pause()) {
                    return;
                }
                continue;
            }
            if (open.size() >= MAX_CONNECTIONS) {
                closeQuietly(s);
                continue;
            }
            open.add(s);
            Thread.ofVirtual().start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(greeting);
            out.flush();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException resetOrClosed) {
            // A reset (health probes close that way) or a client gone: nothing to answer.
        } finally {
            open.remove(s);
        }
    }

    /** A short back-off; false when interrupted (the backend is being closed). */
    private static boolean pause() {
        try {
            Thread.sleep(10);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing a socket we never used.
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // The listening socket is gone either way.
        }
        List.copyOf(open).forEach(EchoBackend::closeQuietly);
    }
}
