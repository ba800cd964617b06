package org.dicomlb.harness.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A backend that accepts connections and never reads or writes: what the memory scenario's
 * proxies hold their idle connections to. It runs inside the harness (a thread blocked in
 * accept), so it costs the proxies nothing and is gone when the harness is.
 */
public final class IdleBackend implements AutoCloseable {
    private final ConcurrentLinkedQueue<SocketChannel> accepted = new ConcurrentLinkedQueue<>();
    private final Acceptor acceptor;

    private IdleBackend(InetSocketAddress listen, int backlog) throws IOException {
        // EMFILE and the like stall the count, and awaitConnections reports it with a clear message.
        this.acceptor = Acceptor.start("idle backend", listen, backlog, accepted::add);
    }

    public static IdleBackend start(InetSocketAddress listen, int backlog) throws IOException {
        return new IdleBackend(listen, backlog);
    }

    public int connections() {
        return accepted.size();
    }

    /** Waits until {@code n} connections were accepted since the last {@link #dropAll}. */
    public void awaitConnections(int n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (accepted.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the idle backend saw " + accepted.size() + " of " + n + " connections after "
                        + timeout.toSeconds() + " s (proxy connection limit or file-descriptor limit?)");
            }
            Thread.sleep(50);
        }
    }

    /** Closes every accepted connection, so the next measurement starts from zero. */
    public void dropAll() {
        for (SocketChannel c : List.copyOf(accepted)) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Closing a socket nobody reads from cannot fail in a way that matters here.
            }
        }
        accepted.clear();
    }

    @Override
    public void close() throws IOException {
        acceptor.close();
        dropAll();
    }
}
