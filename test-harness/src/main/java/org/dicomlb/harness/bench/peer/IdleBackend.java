package org.dicomlb.harness.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
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
    private final ServerSocketChannel server;
    private final ConcurrentLinkedQueue<SocketChannel> accepted = new ConcurrentLinkedQueue<>();
    private final Thread acceptor;

    private IdleBackend(ServerSocketChannel server) {
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("idle-backend").daemon().start(this::acceptLoop);
    }

    public static IdleBackend start(InetSocketAddress listen, int backlog) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(listen, backlog);
        } catch (IOException e) {
            s.close();
            throw new IOException("idle backend cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        return new IdleBackend(s);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                accepted.add(server.accept());
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                // EMFILE and the like: the count stalls and awaitConnections reports it with a clear message.
                try {
                    Thread.sleep(10);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
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
        server.close();
        dropAll();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
