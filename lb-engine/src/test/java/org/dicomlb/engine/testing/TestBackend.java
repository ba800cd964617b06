package org.dicomlb.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP backend for tests on a 127.0.0.x address: greets each connection with its name and
 * a newline, then echoes every byte until the client half-closes, then closes. {@link #kill()}
 * closes the listening socket and resets every open connection, like a crashed server.
 */
public final class TestBackend implements AutoCloseable {
    private final String name;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();

    private TestBackend(String name, ServerSocket server) {
        this.name = name;
        this.server = server;
        Thread.ofVirtual().name("backend-" + name).start(this::acceptLoop);
    }

    /** Starts on {@code host} with a free port. */
    public static TestBackend start(String name, String host) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 512);
        return new TestBackend(name, s);
    }

    /** Starts on an exact address (to bring a killed backend back where it was). */
    public static TestBackend startAt(String name, InetSocketAddress address) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(address, 512);
        return new TestBackend(name, s);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** "127.0.0.11:40123": the form config files use. */
    public String hostPort() {
        return address().getAddress().getHostAddress() + ":" + address().getPort();
    }

    public int accepted() {
        return accepted.get();
    }

    public int openConnections() {
        return open.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // client went away or we were killed
        } finally {
            open.remove(s);
        }
    }

    /**
     * Like a crash: stop listening and reset every open connection. Returns once a new connect
     * is refused, because closing a socket a virtual thread is blocked on can complete a moment
     * after close() returns, and a "killed" backend that still accepts would make tests lie.
     */
    public void kill() {
        InetSocketAddress where = address();
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket()) {
                probe.connect(where, 200);
                Thread.sleep(5);
            } catch (IOException refused) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        kill();
    }
}
