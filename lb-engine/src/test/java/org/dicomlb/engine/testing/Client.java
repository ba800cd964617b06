package org.dicomlb.engine.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking test client that connects through dicomlb and reads the backend's greeting. */
public final class Client implements AutoCloseable {
    private final Socket socket;

    private Client(Socket socket) {
        this.socket = socket;
    }

    public static Client connect(InetSocketAddress to) throws IOException {
        return connect(to, null);
    }

    /** Connects from a chosen local address (127.0.x.y), to look like different clients. */
    public static Client connect(InetSocketAddress to, String fromHost) throws IOException {
        Socket s = new Socket();
        if (fromHost != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(fromHost), 0));
        }
        s.setSoTimeout(10_000);
        s.connect(to, 5_000);
        return new Client(s);
    }

    public Socket socket() {
        return socket;
    }

    /** The first line the backend sent (its name); throws when the connection closed instead. */
    public String greeting() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0) {
            throw new IOException("connection closed before a greeting (got '" + line + "')");
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Connects, reads the greeting, closes: which backend served one connection. */
    public static String whoServes(InetSocketAddress to, String fromHost) throws IOException {
        try (Client c = connect(to, fromHost)) {
            return c.greeting();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
