package org.dicomlb.harness.bench.peer;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;

/**
 * A port that accepts connections and closes them at once: what both proxies' TCP checks probe
 * instead of a backend that must not see unsolicited connections. iperf3's server (3.12) takes
 * any connection that arrives while a test sets up its streams for one of them; a check landing
 * in that window aborts the test ("unable to initialize stream" at the client), whichever variant
 * is being measured. Like {@link IdleBackend} it runs inside the harness.
 */
public final class CheckTarget implements Closeable {
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private CheckTarget(ServerSocketChannel server) {
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("check-target").daemon().start(this::acceptLoop);
    }

    public static CheckTarget start(InetSocketAddress listen) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(listen);
        } catch (IOException e) {
            s.close();
            throw new IOException("check target cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        return new CheckTarget(s);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                server.accept().close();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                // A probe that reset before accept: the next one is accepted as usual.
                try {
                    Thread.sleep(10);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
