package org.dicomlb.harness.bench.peer;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * A port that accepts connections and closes them at once: what both proxies' TCP checks probe
 * instead of a backend that must not see unsolicited connections. iperf3's server (3.12) takes
 * any connection that arrives while a test sets up its streams for one of them; a check landing
 * in that window aborts the test ("unable to initialize stream" at the client), whichever variant
 * is being measured. Like {@link IdleBackend} it runs inside the harness.
 */
public final class CheckTarget implements Closeable {
    private final Acceptor acceptor;

    private CheckTarget(Acceptor acceptor) {
        this.acceptor = acceptor;
    }

    public static CheckTarget start(InetSocketAddress listen) throws IOException {
        return new CheckTarget(Acceptor.start("check target", listen, 64, CheckTarget::closeQuietly));
    }

    private static void closeQuietly(SocketChannel probe) {
        try {
            probe.close();
        } catch (IOException ignored) {
            // The probe is gone either way; nothing was exchanged.
        }
    }

    @Override
    public void close() throws IOException {
        acceptor.close();
    }
}
