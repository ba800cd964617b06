package org.dicomlb.engine.access;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.engine.pool.Endpoint;

/**
 * What the access log says about one connection. Owned by the connection's event loop: written
 * while the connection runs and formatted once when it has ended, so it needs no synchronisation.
 *
 * <p>An http listener makes one record per request, so formatting is on the request path: the
 * protocol fields are small arrays rather than a map, numbers stay numbers until they are written,
 * the time of day is formatted once per second ({@link LogClock}), and the line is built as UTF-8
 * bytes in a buffer each event loop keeps ({@link LineBuilder}), which the writer copies to the
 * file as they are. The requests of one connection share their line's part from the listener to
 * the backend's address ({@link Prefix}): built for the first, copied for the next as long as
 * client, pool and backend are the same, a third of the line.
 */
public final class ConnectionRecord {
    /** Room for an http request's or a DICOM association's fields without growing. */
    private static final int FIELDS = 12;
    /** The value of a field that holds a number ({@link #field(String, long)}); told apart by identity. */
    private static final String NUMBER = new String("#");
    // The fields every line has, as the bytes " key=" (copied whole rather than character by character).
    private static final byte[] LISTENER = LineBuilder.keyBytes("listener");
    private static final byte[] MODE = LineBuilder.keyBytes("mode");
    private static final byte[] CLIENT = LineBuilder.keyBytes("client");
    private static final byte[] POOL = LineBuilder.keyBytes("pool");
    private static final byte[] BACKEND = LineBuilder.keyBytes("backend");
    private static final byte[] SERVER = LineBuilder.keyBytes("server");
    private static final byte[] ATTEMPTS = LineBuilder.keyBytes("attempts");
    private static final byte[] BYTES_IN = LineBuilder.keyBytes("bytes_in");
    private static final byte[] BYTES_OUT = LineBuilder.keyBytes("bytes_out");
    private static final byte[] DURATION_MS = LineBuilder.keyBytes("duration_ms");
    private static final byte[] END = LineBuilder.keyBytes("end");
    private final long startMillis = System.currentTimeMillis();
    private final long startNanos;
    private final String listener;
    private final String mode;
    private InetSocketAddress client;
    private String clientText;
    /**
     * Protocol fields in the order first set; a field set again keeps its place. Made on the first
     * field (a tcp connection has none, and idle connections are counted in thousands).
     */
    private String[] keys;
    private String[] values;
    /** Numbers of the fields whose value is {@link #NUMBER}; made on the first such field. */
    private long[] numbers;
    private int fields;
    private String pool;
    private Endpoint endpoint;
    private int attempts;
    private long bytesIn;
    private long bytesOut;
    private EndReason end;
    /** Whether the record's exchange is over ({@link #over}), and when. */
    private boolean over;
    private long overNanos;
    /** Shared by a connection's records once it has a request's ({@link #ConnectionRecord(String, String, ConnectionRecord, long)}). */
    private Prefix prefix;

    /**
     * The line's {@code listener= mode= client= pool= backend= server=} fields as bytes, with what
     * they were made from (compared by identity: the same strings and endpoint for every request
     * of a connection; anything else, a reload's new endpoint say, makes them again).
     */
    private static final class Prefix {
        private String listener;
        private String mode;
        private String client;
        private String pool;
        private Endpoint endpoint;
        private byte[] bytes;

        boolean matches(String listener, String mode, String client, String pool, Endpoint endpoint) {
            return bytes != null && this.listener == listener && this.mode == mode && this.client == client
                    && this.pool == pool && this.endpoint == endpoint;
        }

        void keep(String listener, String mode, String client, String pool, Endpoint endpoint, LineBuilder b, int from) {
            this.listener = listener;
            this.mode = mode;
            this.client = client;
            this.pool = pool;
            this.endpoint = endpoint;
            this.bytes = Arrays.copyOfRange(b.bytes(), from, b.length());
        }
    }

    public ConnectionRecord(String listener, String mode, InetSocketAddress client) {
        this(listener, mode, client, System.nanoTime());
    }

    private ConnectionRecord(String listener, String mode, InetSocketAddress client, long startNanos) {
        this.listener = listener;
        this.mode = mode;
        this.client = client;
        this.startNanos = startNanos;
    }

    /**
     * A record for another exchange of the same client as {@code connection} (an http request on a
     * kept-alive connection), which began at {@code startNanos} ({@link System#nanoTime()}, e.g.
     * when its first byte arrived): the client and its text form are taken over, not formatted again.
     */
    public ConnectionRecord(String listener, String mode, ConnectionRecord connection, long startNanos) {
        this(listener, mode, connection.client, startNanos);
        this.clientText = connection.clientText();
        if (connection.prefix == null) {
            connection.prefix = new Prefix();
        }
        this.prefix = connection.prefix;
    }

    public InetSocketAddress client() {
        return client;
    }

    /** The client as the line shows it ({@code ip:port}), formatted once. */
    public String clientText() {
        if (clientText == null) {
            clientText = SocketAddresses.format(client);
        }
        return clientText;
    }

    /**
     * The connection came through a trusted proxy that named the real client in a PROXY protocol
     * header: {@code client} is that client from now on (balancing, forwarded headers, PROXY
     * headers towards backends, this line), and the proxy's own address is logged as {@code via}.
     */
    public void proxied(InetSocketAddress realClient) {
        field("via", clientText());
        this.client = realClient;
        this.clientText = null;
    }

    /** When the connection was accepted (to the millisecond, as the line has it). */
    public Instant start() {
        return Instant.ofEpochMilli(startMillis);
    }

    public String mode() {
        return mode;
    }

    public String listener() {
        return listener;
    }

    public void pool(String name) {
        this.pool = name;
    }

    public String pool() {
        return pool;
    }

    public void endpoint(Endpoint e) {
        this.endpoint = e;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public void attempt() {
        attempts++;
    }

    public int attempts() {
        return attempts;
    }

    public void addIn(long n) {
        bytesIn += n;
    }

    public void addOut(long n) {
        bytesOut += n;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    /** Records how the connection ended; the first reason wins (later ones are consequences). */
    public void end(EndReason reason) {
        if (end == null) {
            end = reason;
        }
    }

    public EndReason end() {
        return end;
    }

    /**
     * Records how it ended, as {@link #end(EndReason)}, and that it is over now: its duration
     * stops here, read once for its meters and its line. For a record nothing follows (an http
     * request when its exchange is done); a connection still closing keeps its duration running.
     */
    public void over(EndReason reason) {
        over(reason, System.nanoTime());
    }

    /** {@link #over(EndReason)} at {@code nowNanos}, a {@link System#nanoTime()} the caller has just read. */
    public void over(EndReason reason, long nowNanos) {
        end(reason);
        if (!over) {
            over = true;
            overNanos = nowNanos;
        }
    }

    /** {@link System#nanoTime()} when the record was made: the start of its duration. */
    public long startNanos() {
        return startNanos;
    }

    /** A protocol-specific field (DICOM AE titles, result codes ...) appended to the line. */
    public void field(String key, String value) {
        int i = slot(key);
        values[i] = value;
    }

    /** A field holding a number (a request's sequence number, a status code): written as digits when the line is. */
    public void field(String key, long value) {
        int i = slot(key);
        if (numbers == null) {
            numbers = new long[keys.length];
        }
        values[i] = NUMBER;
        numbers[i] = value;
    }

    public String field(String key) {
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        return values[i] == NUMBER ? Long.toString(numbers[i]) : values[i];
    }

    /** The index of field {@code key}, added at the end if it is new (a field set again keeps its place). */
    private int slot(String key) {
        int i = indexOf(key);
        if (i >= 0) {
            return i;
        }
        if (keys == null) {
            keys = new String[FIELDS];
            values = new String[FIELDS];
        } else if (fields == keys.length) {
            keys = Arrays.copyOf(keys, fields * 2);
            values = Arrays.copyOf(values, fields * 2);
            if (numbers != null) {
                numbers = Arrays.copyOf(numbers, fields * 2);
            }
        }
        keys[fields] = key;
        values[fields] = null;
        return fields++;
    }

    private int indexOf(String key) {
        for (int i = 0; i < fields; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    public long durationNanos() {
        return endNanos() - startNanos;
    }

    /** {@link System#nanoTime()} when it was {@link #over}, or now when it is not yet. */
    public long endNanos() {
        return over ? overNanos : System.nanoTime();
    }

    /**
     * The access-log line (documented in docs/access-log.md): ISO time of accept, then
     * {@code key=value} fields; values with spaces or quotes are double-quoted.
     */
    public String format() {
        return new String(build().finish(), StandardCharsets.UTF_8);
    }

    /** The line as UTF-8 in this thread's {@link LineBuilder}, without its end, for the writer to copy. */
    LineBuilder build() {
        LineBuilder b = LineBuilder.get();
        LogClock.append(b, startMillis);
        String client = clientText();
        Prefix p = prefix;
        if (p != null && p.matches(listener, mode, client, pool, endpoint)) {
            b.ascii(p.bytes);
        } else {
            int from = b.length();
            b.ascii(LISTENER).value(listener);
            b.ascii(MODE).value(mode);
            b.ascii(CLIENT).value(client);
            b.ascii(POOL).value(pool);
            b.ascii(BACKEND).value(endpoint == null ? null : endpoint.name());
            b.ascii(SERVER).value(endpoint == null ? null : endpoint.addressText());
            if (p != null) {
                p.keep(listener, mode, client, pool, endpoint, b, from);
            }
        }
        b.ascii(ATTEMPTS).number(attempts);
        for (int i = 0; i < fields; i++) {
            b.key(keys[i]);
            if (values[i] == NUMBER) {
                b.number(numbers[i]);
            } else {
                b.value(values[i]);
            }
        }
        b.ascii(BYTES_IN).number(bytesIn);
        b.ascii(BYTES_OUT).number(bytesOut);
        b.ascii(DURATION_MS).number(durationNanos() / 1_000_000);
        b.ascii(END).value(end == null ? null : end.label());
        return b;
    }
}
