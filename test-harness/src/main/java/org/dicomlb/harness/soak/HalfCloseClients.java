package org.dicomlb.harness.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request-then-FIN clients on the tcp listener ({@code printf DATA | nc -N}): connect, send a few
 * KiB, shut the write side at once, expect the backend's greeting line and every byte echoed, then
 * EOF. The bytes and the FIN reach dicomlb before its backend connection is up, the race issue 23
 * found; the soak keeps hitting it while backends drain and reloads run. A wrong or short answer is
 * a failure by kind; no answer or EOF within {@link #READ_TIMEOUT} is a hang.
 */
final class HalfCloseClients {
    static final int PAYLOAD = 4096;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    static final Duration READ_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration PAUSE = Duration.ofMillis(50);
    /** The longest greeting: "echo-a\n". */
    private static final int GREETING_MAX = 16;

    private final InetSocketAddress target;
    private final Tally tally;

    HalfCloseClients(InetSocketAddress target, Tally tally) {
        this.target = target;
        this.tally = tally;
    }

    void runUntil(long deadline) throws InterruptedException {
        while (System.nanoTime() - deadline < 0) {
            once();
            Thread.sleep(PAUSE.toMillis());
        }
    }

    private void once() {
        byte[] payload = new byte[PAYLOAD];
        ThreadLocalRandom.current().nextBytes(payload);
        try (Socket s = new Socket()) {
            s.setSoTimeout((int) READ_TIMEOUT.toMillis());
            s.connect(target, CONNECT_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write(payload);
            out.flush();
            s.shutdownOutput();
            byte[] answer = readToEof(s.getInputStream(), PAYLOAD + GREETING_MAX);
            judge(payload, answer);
        } catch (SocketTimeoutException e) {
            tally.hang("no connection, or no answer and EOF, within " + READ_TIMEOUT.toSeconds() + " s: " + e.getMessage());
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            tally.failure(m.contains("refused") ? "connect-refused" : m.contains("reset") ? "reset" : "io-error", e.toString());
        }
    }

    private void judge(byte[] payload, byte[] answer) {
        int nl = -1;
        for (int i = 0; i < Math.min(answer.length, GREETING_MAX); i++) {
            if (answer[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0 || !new String(answer, 0, nl, StandardCharsets.US_ASCII).startsWith("echo-")) {
            tally.failure("no-greeting", answer.length + " bytes back, not starting with a backend's greeting");
            return;
        }
        byte[] echoed = Arrays.copyOfRange(answer, nl + 1, answer.length);
        if (echoed.length < payload.length) {
            tally.failure("bytes-lost", echoed.length + " of " + payload.length + " bytes echoed before EOF");
        } else if (!Arrays.equals(echoed, payload)) {
            tally.failure("wrong-bytes", "the echo differs from what was sent (" + echoed.length + " bytes)");
        } else {
            tally.success();
        }
    }

    /** Everything until EOF, or {@code max + 1} bytes when the peer sends more than {@code max}. */
    private static byte[] readToEof(InputStream in, int max) throws IOException {
        byte[] buf = new byte[max + 1];
        int n = 0;
        for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) >= 0; ) {
            n += r;
        }
        return Arrays.copyOf(buf, n);
    }
}
