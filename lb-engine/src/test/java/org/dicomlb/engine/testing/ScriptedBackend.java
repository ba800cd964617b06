package org.dicomlb.engine.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dicomlb.testkit.Ports;

/**
 * A backend that answers by hand, on a plain socket: each connection reads its first request's
 * head and then runs the test's script, which writes exactly the bytes it wants (a 101 with a
 * frame in the same segment, a refusal, a reset) and reads exactly what came. For the cases a
 * real server would never produce on cue. Scripts run on virtual threads, each socket with a read
 * timeout, and everything ends with {@link #close}.
 */
public final class ScriptedBackend implements AutoCloseable {
    /** What a connection does after its first request head was read. */
    @FunctionalInterface
    public interface Script {
        void run(Conn c) throws Exception;
    }

    /** One backend connection: its socket and the request heads read on it. */
    public static final class Conn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private String head;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        public Socket socket() {
            return socket;
        }

        /** The last request head read (request line and fields, without the blank line). */
        public String head() {
            return head;
        }

        /** A header field's value in the last head (name case-insensitive), or null. */
        public String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    return line.substring(prefix.length()).strip();
                }
            }
            return null;
        }

        /** Reads the next request head; null when the connection ended first. */
        public String readHead() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
                if (b.size() >= 4 && b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    head = b.toString(StandardCharsets.ISO_8859_1).substring(0, b.size() - 4);
                    return head;
                }
            }
            return null;
        }

        public byte[] readExactly(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw new IOException("the connection ended after " + b.length + " of " + n + " octets");
            }
            return b;
        }

        /** Reads until the peer's FIN; a reset counts as the end too. */
        public byte[] readToEnd() throws IOException {
            return in.readAllBytes();
        }

        /** -1 at the end of the stream, else the next octet. */
        public int read() throws IOException {
            return in.read();
        }

        public void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        public void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** The 101 a WebSocket server gives the last head, with its {@code Sec-WebSocket-Accept}. */
        public String switching() {
            return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(header("Sec-WebSocket-Key")) + "\r\n\r\n";
        }

        /** Closes with a reset (SO_LINGER 0) rather than a FIN. */
        public void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> firstHeads = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    private ScriptedBackend(ServerSocket server, Script script) {
        this.server = server;
        threads.execute(() -> accept(script));
    }

    /** Listens on {@code host} (a port from {@link Ports}); each connection runs {@code script}. */
    public static ScriptedBackend start(String host, Script script) throws IOException {
        InetAddress a = InetAddress.getByName(host);
        ServerSocket s = new ServerSocket(Ports.free(host), 50, a);
        return new ScriptedBackend(s, script);
    }

    private void accept(Script script) {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(s);
            threads.execute(() -> {
                try (s) {
                    s.setSoTimeout(20_000);
                    Conn c = new Conn(s);
                    if (c.readHead() == null) {
                        return;
                    }
                    firstHeads.add(c.head());
                    script.run(c);
                } catch (Exception | AssertionError e) {
                    if (!closed) {
                        // A script cut off by close() has not failed.
                        failures.add(e);
                    }
                }
            });
        }
    }

    public String hostPort() {
        InetSocketAddress a = (InetSocketAddress) server.getLocalSocketAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The first request head of the next connection, waiting up to {@code seconds}; null if none came. */
    public String nextHead(int seconds) throws InterruptedException {
        return firstHeads.poll(seconds, TimeUnit.SECONDS);
    }

    /** What a script threw, if anything (a failed assertion in a script shows here). */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** {@code Sec-WebSocket-Accept} for {@code key} (RFC 6455 section 4.2.2). */
    public static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #close}, then fails with what a script threw, if anything (for a test's tear-down). */
    public void closeAndCheck() {
        close();
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("a backend script failed: " + failures.peek());
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
