package org.dicomlb.healthcheck.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An HTTP/1.1 probe: one request on a fresh connection ({@code Connection: close}), healthy when the
 * status is in {@code expectStatus} and, if {@code expectBody} is set, the first {@value
 * #MAX_BODY_BYTES} bytes of the body contain it.
 *
 * @param host      the Host header (and TLS server name); empty means the probed {@code ip:port}
 * @param tlsVerify with {@code tls}: verify the server's certificate chain against the JVM trust
 *                  store and its name against {@code host} (or the IP). Off accepts any certificate.
 */
public record HttpProbe(Method method, String path, Optional<String> host, List<StatusRange> expectStatus,
                        Optional<String> expectBody, boolean tls, boolean tlsVerify) implements ProbeConfig {
    /** How much of a body is searched for {@code expectBody}; bounds the memory one probe can use. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final int MAX_EXPECT_BODY_CHARS = 1024;
    public static final List<StatusRange> DEFAULT_EXPECT_STATUS = List.of(new StatusRange(200, 299), new StatusRange(300, 399));

    /** Methods that make sense without a request body. */
    public enum Method { GET, HEAD, OPTIONS }

    public HttpProbe {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(expectBody, "expectBody");
        requireValidPath(path);
        host.ifPresent(HttpProbe::requireValidHost);
        expectStatus = List.copyOf(expectStatus);
        if (expectStatus.isEmpty()) {
            throw new IllegalArgumentException("expect-status must list at least one status");
        }
        expectBody.ifPresent(b -> {
            if (b.isEmpty() || b.length() > MAX_EXPECT_BODY_CHARS) {
                throw new IllegalArgumentException("expect-body must be 1.." + MAX_EXPECT_BODY_CHARS + " characters");
            }
        });
        if (method == Method.HEAD && expectBody.isPresent()) {
            throw new IllegalArgumentException("a HEAD response has no body, so expect-body cannot be used with method HEAD");
        }
        if (!tls && !tlsVerify) {
            // tlsVerify is meaningless without TLS; keeping it true there makes equal configs compare equal.
            tlsVerify = true;
        }
    }

    /** GET / expecting 2xx or 3xx, plain HTTP. */
    public static HttpProbe defaults() {
        return new HttpProbe(Method.GET, "/", Optional.empty(), DEFAULT_EXPECT_STATUS, Optional.empty(), false, true);
    }

    public boolean accepts(int status) {
        for (StatusRange r : expectStatus) {
            if (r.contains(status)) {
                return true;
            }
        }
        return false;
    }

    /** {@code 200} or {@code 2xx, 3xx}: for failure reasons such as "HTTP 503 (expected 2xx, 3xx)". */
    public String expectedText() {
        return expectStatus.stream().map(StatusRange::toString).collect(Collectors.joining(", "));
    }

    @Override
    public CheckType type() {
        return CheckType.HTTP;
    }

    /** A request target: starts with /, no spaces or control characters (they would split the request line). */
    public static String requireValidPath(String path) {
        if (!path.startsWith("/") || !isHeaderSafe(path)) {
            throw new IllegalArgumentException("path '" + path + "' must start with / and hold no spaces or control characters");
        }
        return path;
    }

    /** A Host header value such as {@code pacs.example.org} or {@code 10.1.2.3:8080}. */
    public static String requireValidHost(String host) {
        if (host.isEmpty() || !isHeaderSafe(host)) {
            throw new IllegalArgumentException("host '" + host + "' must be a non-empty name without spaces or control characters");
        }
        return host;
    }

    private static boolean isHeaderSafe(String s) {
        return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }
}
