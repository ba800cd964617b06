package org.dicomlb.harness.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** Opens and holds many idle client connections (they send nothing), for the memory scenario. */
public final class IdleClients implements AutoCloseable {
    private final List<SocketChannel> open = new ArrayList<>();

    /**
     * Opens {@code n} connections to {@code target}, one after another; each connect returns once
     * the proxy's kernel accepted it, so the proxy's accept speed does not matter here.
     */
    public static IdleClients open(InetSocketAddress target, int n) throws IOException {
        IdleClients c = new IdleClients();
        try {
            for (int i = 0; i < n; i++) {
                c.open.add(SocketChannel.open(target));
            }
        } catch (IOException e) {
            int opened = c.open.size();
            c.close();
            throw new IOException("opened only " + opened + " of " + n + " idle connections to " + target + ": " + e.getMessage(), e);
        }
        return c;
    }

    @Override
    public void close() {
        for (SocketChannel ch : open) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Nothing was sent on these sockets; a failing close changes no measurement.
            }
        }
        open.clear();
    }
}
