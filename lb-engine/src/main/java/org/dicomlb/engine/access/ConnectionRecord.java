package org.dicomlb.engine.access;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.engine.pool.Endpoint;

/**
 * What the access log says about one connection. Owned by the connection's event loop: written
 * while the connection runs and formatted once when it has ended, so it needs no synchronisation.
 */
public final class ConnectionRecord {
    /** Always three fraction digits (Instant.toString drops them when they are zero). */
    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();
    private final String listener;
    private final String mode;
    private InetSocketAddress client;
    private final Map<String, String> protocolFields = new LinkedHashMap<>();
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

    public InetSocketAddress client() {
        return client;
    }

    /**
     * The connection came through a trusted proxy that named the real client in a PROXY protocol
     * header: {@code client} is that client from now on (balancing, forwarded headers, PROXY
     * headers towards backends, this line), and the proxy's own address is logged as {@code via}.
     */
    public void proxied(InetSocketAddress realClient) {
        field("via", SocketAddresses.format(client));
        this.client = realClient;
    }

    /** When the connection was accepted. */
    public Instant start() {
        return start;
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
        protocolFields.put(key, value);
    }

    public String field(String key) {
        return protocolFields.get(key);
    }

    public long durationNanos() {
        return System.nanoTime() - startNanos;
    }

    /**
     * The access-log line (documented in docs/access-log.md): ISO time of accept, then
     * {@code key=value} fields; values with spaces or quotes are double-quoted.
     */
    public String format() {
        StringBuilder sb = new StringBuilder(256);
        sb.append(TIME.format(start));
        kv(sb, "listener", listener);
        kv(sb, "mode", mode);
        kv(sb, "client", SocketAddresses.format(client));
        kv(sb, "pool", pool);
        kv(sb, "backend", endpoint == null ? null : endpoint.name());
        kv(sb, "server", endpoint == null ? null : SocketAddresses.format(endpoint.address()));
        kv(sb, "attempts", Integer.toString(attempts));
        for (Map.Entry<String, String> f : protocolFields.entrySet()) {
            kv(sb, f.getKey(), f.getValue());
        }
        kv(sb, "bytes_in", Long.toString(bytesIn));
        kv(sb, "bytes_out", Long.toString(bytesOut));
        kv(sb, "duration_ms", Long.toString(durationNanos() / 1_000_000));
        kv(sb, "end", end == null ? null : end.label());
        return sb.toString();
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
