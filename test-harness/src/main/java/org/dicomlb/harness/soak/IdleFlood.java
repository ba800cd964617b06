package org.dicomlb.harness.soak;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Idle-connection floods on the tcp listener: a few hundred connections opened one after another,
 * each waiting for its backend's greeting (so each really got a backend connection through
 * dicomlb), then held open without a byte for a few seconds, then closed; again after a pause,
 * until the deadline. A connection counts as a success when it was greeted; one that got no
 * connect or no greeting within its bound hung.
 */
final class IdleFlood {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    /** From the end of the opening to the last greeting: generous for a few hundred connections on a loaded machine. */
    private static final Duration GREETING_TIMEOUT = Duration.ofSeconds(15);

    private final InetSocketAddress target;
    private final int connections;
    private final Duration hold;
    private final Duration pause;
    private final Tally tally;
    private final FloodWindows windows;
    private final LongAdder opened = new LongAdder();

    IdleFlood(InetSocketAddress target, int connections, Duration hold, Duration pause, Tally tally, FloodWindows windows) {
        this.target = target;
        this.connections = connections;
        this.hold = hold;
        this.pause = pause;
        this.tally = tally;
        this.windows = windows;
    }

    /** Connections the floods opened (connected), over the whole soak. */
    long opened() {
        return opened.sum();
    }

    void runUntil(long deadline) throws InterruptedException {
        while (System.nanoTime() - deadline < 0) {
            int window = windows.opening();
            List<Socket> open = new ArrayList<>(connections);
            try {
                flood(open);
                Thread.sleep(hold.toMillis());
            } finally {
                for (Socket s : open) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // Nothing was sent on it after the greeting; a failing close changes nothing here.
                    }
                }
                windows.closed(window);
            }
            Thread.sleep(Math.max(0, Math.min(pause.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    private void flood(List<Socket> open) {
        for (int i = 0; i < connections; i++) {
            Socket s = new Socket();
            try {
                s.connect(target, CONNECT_TIMEOUT_MS);
                open.add(s);
                opened.increment();
            } catch (SocketTimeoutException e) {
                tally.hang("no connection to " + target + " within " + CONNECT_TIMEOUT_MS + " ms");
                closeQuietly(s);
            } catch (IOException e) {
                tally.failure("connect-failed", e.toString());
                closeQuietly(s);
            }
        }
        long deadline = System.nanoTime() + GREETING_TIMEOUT.toNanos();
        for (Socket s : open) {
            try {
                s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                String greeting = line(s.getInputStream());
                if (greeting.startsWith("echo-")) {
                    tally.success();
                } else {
                    tally.failure("no-greeting", "got '" + greeting + "' instead of a backend's greeting");
                }
            } catch (SocketTimeoutException e) {
                tally.hang("no greeting within " + GREETING_TIMEOUT.toSeconds() + " s of the flood");
            } catch (IOException e) {
                tally.failure("connection-lost", e.toString());
            }
        }
    }

    /** The first line, without its newline; at most 64 bytes. */
    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; sb.length() < 64 && (b = in.read()) >= 0 && b != '\n'; ) {
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Never connected.
        }
    }
}
