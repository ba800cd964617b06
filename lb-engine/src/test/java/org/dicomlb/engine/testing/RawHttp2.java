package org.dicomlb.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/2 frames by hand over TLS (ALPN {@code h2}), for tests that must send what no client
 * library would (malformed or abusive frame sequences) and read exactly what came back. Writes are
 * buffered until {@link #flush}, so a burst of frames leaves in few TLS records.
 */
public final class RawHttp2 implements AutoCloseable {
    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int PING = 6;
    public static final int GOAWAY = 7;
    public static final int WINDOW_UPDATE = 8;
    public static final int CONTINUATION = 9;

    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;

    /** Error codes (RFC 9113 section 7). */
    public static final int NO_ERROR = 0;
    public static final int PROTOCOL_ERROR = 1;
    public static final int REFUSED_STREAM = 7;
    public static final int CANCEL = 8;
    public static final int ENHANCE_YOUR_CALM = 11;

    private final SSLSocket socket;
    private final OutputStream out;
    private final DataInputStream in;

    /** One frame as read. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        /** The error code of a RST_STREAM (its payload) or a GOAWAY (after the last stream id). */
        public int errorCode() {
            return ByteBuffer.wrap(payload, type == GOAWAY ? 4 : 0, 4).getInt();
        }

        /** A GOAWAY's last-stream-id. */
        public int lastStreamId() {
            return ByteBuffer.wrap(payload, 0, 4).getInt() & 0x7fffffff;
        }

        /** A HEADERS frame's first octet: the index of {@code :status} in HPACK's static table (0x88 is 200). */
        public int firstHeaderOctet() {
            return payload[0] & 0xff;
        }
    }

    private RawHttp2(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.in = new DataInputStream(socket.getInputStream());
    }

    /**
     * A TLS connection to {@code port} on 127.0.0.1 that has chosen h2 by ALPN and sent the
     * preface and an empty SETTINGS. It does not acknowledge the server's SETTINGS.
     */
    public static RawHttp2 open(SSLContext context, int port) throws IOException {
        return open(context, port, 0);
    }

    /**
     * {@link #open(SSLContext, int)} with a socket receive buffer of {@code receiveBuffer} octets
     * (0: the system's), set before connecting so the TCP window stays that small: a client that
     * does not read then stalls the server's writes soon.
     */
    public static RawHttp2 open(SSLContext context, int port, int receiveBuffer) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        SSLParameters params = s.getSSLParameters();
        params.setApplicationProtocols(new String[] {"h2"});
        s.setSSLParameters(params);
        s.startHandshake();
        assertThat(s.getApplicationProtocol()).isEqualTo("h2");
        RawHttp2 h2 = new RawHttp2(s);
        h2.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        h2.frame(SETTINGS, 0, 0, new byte[0]).flush();
        return h2;
    }

    public SSLSocket socket() {
        return socket;
    }

    /** Queues one frame. */
    public RawHttp2 frame(int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags,
            (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
        out.write(payload);
        return this;
    }

    /** Queues a RST_STREAM with {@code error}. */
    public RawHttp2 reset(int stream, int error) throws IOException {
        return frame(RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(error).array());
    }

    public RawHttp2 flush() throws IOException {
        out.flush();
        return this;
    }

    /**
     * An HPACK header block, by hand: {@code :method GET}, {@code :scheme https}, {@code :path}
     * as given, {@code :authority viewer.test}, each a literal without indexing or from the static
     * table, so every block stands alone.
     */
    public static byte[] get(String path) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET
        block.write(0x87); // :scheme https
        literal(block, 4, path); // :path (static index 4)
        literal(block, 1, "viewer.test"); // :authority (static index 1)
        return block.toByteArray();
    }

    /** A literal header field without indexing whose name is static-table entry {@code index} (below 15). */
    public static void literal(ByteArrayOutputStream block, int index, String value) {
        block.write(index);
        string(block, value);
    }

    /** An HPACK string literal, without Huffman coding: its length (a 7-bit prefix integer), then its octets. */
    public static void string(ByteArrayOutputStream block, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if (v.length < 127) {
            block.write(v.length);
        } else {
            block.write(127);
            int rest = v.length - 127;
            while (rest >= 128) {
                block.write((rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            block.write(rest);
        }
        block.writeBytes(v);
    }

    public Frame read() throws IOException {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        return new Frame(type, flags, stream, in.readNBytes(length));
    }

    /** The first frame of {@code type} on {@code stream} among the next {@code within}. */
    public Frame await(int type, int stream, int within) throws IOException {
        for (int frames = 0; frames < within; frames++) {
            Frame f = read();
            if (f.type() == type && f.stream() == stream) {
                return f;
            }
        }
        throw new AssertionError("no frame of type " + type + " on stream " + stream + " in the next " + within);
    }

    /** {@link #await(int, int, int)} among the next 20 frames. */
    public Frame await(int type, int stream) throws IOException {
        return await(type, stream, 20);
    }

    /**
     * Reads what still comes (nothing, or TLS's close) until the server closes the connection,
     * which it must do within the socket's read timeout.
     */
    public void awaitClosed() throws IOException {
        try {
            while (in.read() >= 0) {
                // after the GOAWAY: nothing, or TLS's close
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open", e);
        } catch (IOException closed) {
            // closed without close_notify, or reset over unread data: closed all the same
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
