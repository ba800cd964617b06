package org.dicomlb.packaging.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Round trips through a tcp listener to greeting echo servers: connect, greeting, one echoed line, close. */
public final class TcpTraffic {
    private TcpTraffic() {
    }

    /** One round trip; throws when the greeting or the echo does not come back. */
    public static void once(InetSocketAddress target) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(target, 2000);
            s.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String greeting = in.readLine();
            if (greeting == null || !greeting.startsWith("hello from ")) {
                throw new IOException("no greeting through " + target + ": " + greeting);
            }
            OutputStream out = s.getOutputStream();
            out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String echo = in.readLine();
            if (!"ping".equals(echo)) {
                throw new IOException("no echo through " + target + ": " + echo);
            }
        }
    }

    /** Up to {@code count} round trips, stopping at {@code deadline} ({@link System#nanoTime()}); the number that worked. */
    public static int run(InetSocketAddress target, int count, long deadline) {
        int ok = 0;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            try {
                once(target);
                ok++;
            } catch (IOException e) {
                // Counted by the caller as count - ok.
            }
        }
        return ok;
    }
}
