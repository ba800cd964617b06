package org.dicomlb.engine.config;

import java.util.List;
import java.util.Objects;
import org.dicomlb.config.Cidr;

/**
 * {@code mode: http}: an HTTP/1.1 (and, over TLS, HTTP/2) reverse proxy. Each request is routed
 * by host and path to a pool, sent on a kept-alive HTTP/1.1 connection to one of its backends,
 * and its response streamed back (docs/http.md).
 *
 * @param routes           tried in order; the first whose host and path match chooses the pool,
 *                         else the listener's {@code pool}
 * @param requestHeaders   rules applied to every request before the route's own
 * @param responseHeaders  rules applied to every response before the route's own
 * @param forwarded        which forwarded headers are added and whose incoming ones are believed
 * @param persistence      how a client is kept on one backend (a route may choose its own)
 * @param maxRequestLine   the longest request line accepted, in octets (414 beyond)
 * @param maxHeaderSize    the most octets of header fields a request or response may have (431 beyond)
 * @param http2            offer HTTP/2 by ALPN on a TLS listener
 * @param backendKeepAlive how idle backend connections are kept for further requests
 * @param proxyProtocolFrom upstream proxies (by source address) that start their connections with a
 *                         PROXY protocol header; from anyone else none is read
 */
public record HttpMode(List<HttpRoute> routes, HeaderRules requestHeaders, HeaderRules responseHeaders,
                       ForwardedHeaders forwarded, Persistence persistence, int maxRequestLine, int maxHeaderSize,
                       boolean http2, BackendKeepAlive backendKeepAlive, List<Cidr> proxyProtocolFrom)
        implements ListenerMode {
    public static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;
    public static final int MIN_MAX_REQUEST_LINE = 256;
    public static final int MAX_MAX_REQUEST_LINE = 64 * 1024;
    public static final int DEFAULT_MAX_HEADER_SIZE = 32 * 1024;
    public static final int MIN_MAX_HEADER_SIZE = 1024;
    public static final int MAX_MAX_HEADER_SIZE = 1024 * 1024;
    private static final List<String> H2_FIRST = List.of("h2", "http/1.1");
    private static final List<String> H1_ONLY = List.of("http/1.1");

    /** Every default: no routes, no rules, forwarded headers added, no persistence. */
    public static final HttpMode DEFAULTS = new HttpMode(List.of(), HeaderRules.NONE, HeaderRules.NONE,
            ForwardedHeaders.DEFAULTS, Persistence.NONE, DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SIZE, true,
            BackendKeepAlive.DEFAULTS, List.of());

    public HttpMode {
        routes = List.copyOf(routes);
        Objects.requireNonNull(requestHeaders, "requestHeaders");
        Objects.requireNonNull(responseHeaders, "responseHeaders");
        Objects.requireNonNull(forwarded, "forwarded");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(backendKeepAlive, "backendKeepAlive");
        proxyProtocolFrom = List.copyOf(proxyProtocolFrom);
        if (maxRequestLine < MIN_MAX_REQUEST_LINE || maxRequestLine > MAX_MAX_REQUEST_LINE) {
            throw new IllegalArgumentException("max-request-line must be between " + MIN_MAX_REQUEST_LINE + " and "
                    + MAX_MAX_REQUEST_LINE);
        }
        if (maxHeaderSize < MIN_MAX_HEADER_SIZE || maxHeaderSize > MAX_MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("max-header-size must be between " + MIN_MAX_HEADER_SIZE + " and "
                    + MAX_MAX_HEADER_SIZE);
        }
    }

    @Override
    public String label() {
        return "http";
    }

    @Override
    public List<String> applicationProtocols() {
        return http2 ? H2_FIRST : H1_ONLY;
    }
}
