package org.dicomlb.gslb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A site's service as a tcp check sees it: a listener on a loopback address that accepts and
 * closes. {@link #stop} and {@link #start} take it away and bring it back on the same port.
 */
final class TcpSite implements AutoCloseable {
    private final InetSocketAddress address;
    private volatile ServerSocket socket;

    TcpSite(String ip, int port) {
        this.address = new InetSocketAddress(ip(ip), port);
        start();
    }

    int port() {
        return address.getPort();
    }

    synchronized void start() {
        if (socket != null) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(address);
            socket = s;
            Thread t = new Thread(() -> {
                while (!s.isClosed()) {
                    try (Socket c = s.accept()) {
                        // Closed at once, politely: a reset can reach the prober before its connect completes.
                        c.shutdownOutput();
                    } catch (IOException e) {
                        // Closed by stop().
                    }
                }
            }, "tcp-site-" + address);
            t.setDaemon(true);
            t.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address, e);
        }
    }

    synchronized void stop() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            socket = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static InetAddress ip(String ip) {
        return InetAddress.ofLiteral(ip);
    }
}
