package org.dicomlb.harness.bench.peer;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A listener inside the harness: a thread blocked in accept hands every connection to its
 * owner. The backends that cost the proxies nothing ({@link IdleBackend}, {@link CheckTarget}) are
 * made of it.
 */
final class Acceptor implements Closeable {
    private final ServerSocketChannel server;
    private final Thread thread;

    private Acceptor(ServerSocketChannel server, String name, Consumer<SocketChannel> onAccept) {
        this.server = server;
        this.thread = Thread.ofPlatform().name(name.replace(' ', '-')).daemon().start(() -> acceptLoop(onAccept));
    }

    /** Listens on {@code listen}; an address that cannot be bound is an error naming {@code name}. */
    static Acceptor start(String name, InetSocketAddress listen, int backlog, Consumer<SocketChannel> onAccept) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(listen, backlog);
        } catch (IOException e) {
            s.close();
            throw new IOException(name + " cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        return new Acceptor(s, name, onAccept);
    }

    private void acceptLoop(Consumer<SocketChannel> onAccept) {
        while (server.isOpen()) {
            try {
                onAccept.accept(server.accept());
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                // EMFILE and the like, or a connection reset before accept: pause, then go on.
                try {
                    Thread.sleep(10);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Stops accepting; connections already handed over stay with their owner. */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
