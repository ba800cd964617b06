package org.dicomlb.engine.access;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.engine.pool.Endpoint;

/**
 * What the access log says about one connection. Owned by the connection's event loop: written
 * while the connection runs and formatted once when it has ended, so it needs no synchronisation.
 *
 * <p>An http listener makes one record per request, so formatting is on the request path: the
 * protocol fields are two small arrays rather than a map, the time of day is formatted once per
 * second ({@link LogClock}), numbers go straight into the line, and the line is built in a
 * builder each event loop keeps (about 1 KB of garbage per request less than a map, a
 * formatter and a fresh builder).
 */
public final class ConnectionRecord {
    /** A line longer than this (long quoted paths) gets a fresh builder rather than growing the kept one for good. */
    private static final int KEPT_BUILDER_CHARS = 4096;
    /** Room for an http request's or a DICOM association's fields without growing. */
    private static final int FIELDS = 12;
    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(() -> new StringBuilder(512));
    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
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
    private int fields;
    private String pool;
    private Endpoint endpoint;
    private int attempts;
    private long bytesIn;
    private long bytesOut;
    private EndReason end;

    public ConnectionRecord(String listener, String mode, InetSocketAddress client) {
        this.listener = listener;
        this.mode = mode;
        this.client = client;
    }

    /**
     * A record for another exchange of the same client as {@code connection} (an http request on a
     * kept-alive connection): the client and its text form are taken over, not formatted again.
     */
    public ConnectionRecord(String listener, String mode, ConnectionRecord connection) {
        this(listener, mode, connection.client);
        this.clientText = connection.clientText();
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

    /** A protocol-specific field (DICOM AE titles, result codes ...) appended to the line. */
    public void field(String key, String value) {
        int i = indexOf(key);
        if (i >= 0) {
            values[i] = value;
            return;
        }
        if (keys == null) {
            keys = new String[FIELDS];
            values = new String[FIELDS];
        } else if (fields == keys.length) {
            keys = Arrays.copyOf(keys, fields * 2);
            values = Arrays.copyOf(values, fields * 2);
        }
        keys[fields] = key;
        values[fields] = value;
        fields++;
    }

    public String field(String key) {
        int i = indexOf(key);
        return i < 0 ? null : values[i];
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
        return System.nanoTime() - startNanos;
    }

    /**
     * The access-log line (documented in docs/access-log.md): ISO time of accept, then
     * {@code key=value} fields; values with spaces or quotes are double-quoted.
     */
    public String format() {
        StringBuilder sb = LINE.get();
        sb.setLength(0);
        LogClock.append(sb, startMillis);
        kv(sb, "listener", listener);
        kv(sb, "mode", mode);
        kv(sb, "client", clientText());
        kv(sb, "pool", pool);
        kv(sb, "backend", endpoint == null ? null : endpoint.name());
        kv(sb, "server", endpoint == null ? null : endpoint.addressText());
        kv(sb, "attempts", attempts);
        for (int i = 0; i < fields; i++) {
            kv(sb, keys[i], values[i]);
        }
        kv(sb, "bytes_in", bytesIn);
        kv(sb, "bytes_out", bytesOut);
        kv(sb, "duration_ms", durationNanos() / 1_000_000);
        kv(sb, "end", end == null ? null : end.label());
        String line = sb.toString();
        if (sb.capacity() > KEPT_BUILDER_CHARS) {
            LINE.remove();
        }
        return line;
    }

    private static void kv(StringBuilder sb, String key, long value) {
        sb.append(' ').append(key).append('=').append(value);
    }

    private static void kv(StringBuilder sb, String key, String value) {
        sb.append(' ').append(key).append('=');
        if (value == null || value.isEmpty()) {
            sb.append('-');
        } else if (!needsQuoting(value)) {
            sb.append(value);
        } else {
            sb.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < ' ' || c == 0x7f) {
                    sb.append(String.format("\\x%02x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            sb.append('"');
        }
    }

    private static boolean needsQuoting(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '\\' || c >= 0x7f) {
                return true;
            }
        }
        return false;
    }
}
