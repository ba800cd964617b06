package org.dicomlb.engine.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.config.Cidr;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Location;
import org.dicomlb.config.Section;

/** Reads the keys only {@code mode: http} listeners have; part of {@link EngineConfigReader}. */
final class HttpConfigReader {
    /** Keys of http listeners only ({@code routes} is shared with dicom listeners). */
    static final List<String> HTTP_KEYS = List.of("request-headers", "response-headers", "forwarded", "persistence",
            "max-request-line", "max-header-size", "http2", "backend-keep-alive", "proxy-protocol");
    /** Keys of dicom listeners only, refused on http listeners. */
    private static final List<String> DICOM_ONLY = List.of("allowed-calling-aes", "max-associate-rq", "observe-pdus",
            "certificate-bindings");
    private static final List<String> ROUTE_CONDITIONS = List.of("host", "path-prefix");
    private static final int MAX_SECRET_BYTES = 4096;

    private HttpConfigReader() {
    }

    /** Errors for http-only keys on a listener of another mode. */
    static void rejectHttpKeys(Section s, String listener, String mode) {
        for (String key : HTTP_KEYS) {
            if (s.has(key)) {
                s.error(key, "'" + key + "' applies to mode: http listeners only (listener '" + listener
                        + "' is mode: " + mode + ")");
            }
        }
    }

    /** The http settings of listener {@code s}. */
    static HttpMode read(Section s, String listener, Map<String, Location> pools) {
        for (String key : DICOM_ONLY) {
            if (s.has(key)) {
                s.error(key, "'" + key + "' applies to mode: dicom listeners only (listener '" + listener
                        + "' is mode: http)");
            }
        }
        List<HttpRoute> routes = RouteList.read(s, listener, ROUTE_CONDITIONS,
                "has neither host nor path-prefix and matches every request", "request", (item, number) -> route(item, number, pools));
        HeaderRules request = s.section("request-headers").map(HttpConfigReader::rules).orElse(HeaderRules.NONE);
        HeaderRules response = s.section("response-headers").map(HttpConfigReader::rules).orElse(HeaderRules.NONE);
        ForwardedHeaders forwarded = s.section("forwarded").map(HttpConfigReader::forwarded).orElse(ForwardedHeaders.DEFAULTS);
        Persistence persistence = persistence(s).orElse(Persistence.NONE);
        int maxLine = s.integer("max-request-line", HttpMode.DEFAULT_MAX_REQUEST_LINE, HttpMode.MIN_MAX_REQUEST_LINE,
                HttpMode.MAX_MAX_REQUEST_LINE);
        int maxHeaders = s.integer("max-header-size", HttpMode.DEFAULT_MAX_HEADER_SIZE, HttpMode.MIN_MAX_HEADER_SIZE,
                HttpMode.MAX_MAX_HEADER_SIZE);
        boolean http2 = s.bool("http2", true);
        BackendKeepAlive keepAlive = s.section("backend-keep-alive").map(HttpConfigReader::keepAlive)
                .orElse(BackendKeepAlive.DEFAULTS);
        List<Cidr> proxyFrom = s.section("proxy-protocol").map(HttpConfigReader::proxyProtocol).orElse(List.of());
        if (http2 && s.has("http2") && !s.has("tls")) {
            s.error("http2", "HTTP/2 is offered by ALPN in the TLS handshake; a listener without 'tls' speaks HTTP/1.1"
                    + " only (leave http2 out, or add tls)");
        }
        return new HttpMode(routes, request, response, forwarded, persistence, maxLine, maxHeaders, http2, keepAlive,
                proxyFrom);
    }

    private static HttpRoute route(Section r, int position, Map<String, Location> pools) {
        Optional<String> name = r.optionalString("name");
        name.filter(n -> !Names.valid(n)).ifPresent(n -> r.error("name", "route name '" + n
                + "' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit"));
        List<HostPattern> hosts = r.parsedList("host", HostPattern::parse);
        if (r.node("host").filter(n -> n instanceof ConfigNode.Sequence q && q.items().isEmpty()).isPresent()) {
            r.error("host", "'host' is empty; leave it out to match any host");
        }
        Optional<String> prefix = r.optionalString("path-prefix").map(String::strip);
        prefix.filter(p -> !p.startsWith("/")).ifPresent(p -> r.error("path-prefix",
                "'path-prefix' must start with '/', not '" + p + "'"));
        prefix.filter(p -> p.chars().anyMatch(c -> c <= ' ' || c == '?' || c == '#' || c >= 0x7f))
                .ifPresent(p -> r.error("path-prefix", "'path-prefix' is matched against the request's path as sent"
                        + " (percent-encoded, without query); it may not hold spaces, '?', '#' or non-ASCII characters"));
        String pool = r.requiredString("pool");
        EngineConfigReader.checkPool(r, "pool", "route " + position, pool, pools);
        HeaderRules request = r.section("request-headers").map(HttpConfigReader::rules).orElse(HeaderRules.NONE);
        HeaderRules response = r.section("response-headers").map(HttpConfigReader::rules).orElse(HeaderRules.NONE);
        Optional<Persistence> persistence = persistence(r);
        String label = name.orElse(Integer.toString(position));
        return r.build(() -> new HttpRoute(label, hosts, prefix, pool, request, response, persistence));
    }

    /** {@code remove: [names]}, {@code set: {name: value}}, {@code add: {name: value}}. */
    private static HeaderRules rules(Section s) {
        List<String> remove = s.parsedList("remove", HeaderRules::checkName);
        List<HeaderRules.Header> set = headers(s, "set");
        List<HeaderRules.Header> add = headers(s, "add");
        for (String hop : List.of("connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection",
                "content-length", "host")) {
            boolean named = remove.contains(hop) || set.stream().anyMatch(h -> h.name().equals(hop))
                    || add.stream().anyMatch(h -> h.name().equals(hop));
            if (named) {
                s.error(s.what() + " may not change '" + hop + "': dicomlb sets it (framing, connection handling, routing)");
            }
        }
        HeaderRules r = s.build(() -> new HeaderRules(remove, set, add));
        return r == null ? HeaderRules.NONE : r;
    }

    private static List<HeaderRules.Header> headers(Section s, String key) {
        Optional<ConfigNode> node = s.node(key);
        if (node.isEmpty()) {
            return List.of();
        }
        if (!(node.get() instanceof ConfigNode.Mapping m)) {
            s.error(key, "'" + key + "' must be a mapping of header names to values, e.g. { X-Site: dc-a }, not "
                    + node.get().describe());
            return List.of();
        }
        List<HeaderRules.Header> out = new ArrayList<>();
        for (ConfigNode.Mapping.Entry e : m.entries()) {
            if (!(e.value() instanceof ConfigNode.Scalar v) || v.kind() == ConfigNode.Scalar.Kind.NULL) {
                s.problems().add(e.value(), "the value of header '" + e.key() + "' must be a plain value, not "
                        + e.value().describe());
                continue;
            }
            try {
                out.add(new HeaderRules.Header(e.key(), v.text()));
            } catch (IllegalArgumentException ex) {
                s.problems().add(e.keyLocation(), "'" + key + "': " + ex.getMessage());
            }
        }
        return out;
    }

    private enum ForwardedKind { BOTH, X_FORWARDED, FORWARDED, NONE }

    private static ForwardedHeaders forwarded(Section s) {
        List<Cidr> trusted = s.parsedList("trusted", Cidr::parse);
        ForwardedKind kind = s.choice("headers", ForwardedKind.class, ForwardedKind.BOTH);
        ForwardedHeaders f = s.build(() -> new ForwardedHeaders(trusted,
                kind == ForwardedKind.BOTH || kind == ForwardedKind.X_FORWARDED,
                kind == ForwardedKind.BOTH || kind == ForwardedKind.FORWARDED));
        return f == null ? ForwardedHeaders.DEFAULTS : f;
    }

    private enum PersistenceKind { NONE, SOURCE, COOKIE }

    /**
     * {@code persistence}: {@code none}, {@code source}, {@code cookie}, or a mapping
     * {@code { type: cookie, cookie: NAME, secret-file: PATH, max-age: 1h }}.
     */
    private static Optional<Persistence> persistence(Section parent) {
        Optional<ConfigNode> node = parent.node("persistence");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof ConfigNode.Scalar) {
            PersistenceKind kind = parent.choice("persistence", PersistenceKind.class, PersistenceKind.NONE);
            return Optional.of(switch (kind) {
                case NONE -> Persistence.NONE;
                case SOURCE -> new Persistence.Source();
                case COOKIE -> new Persistence.Cookie(Persistence.Cookie.DEFAULT_NAME, CookieSecret.BUILT_IN, Optional.empty());
            });
        }
        return parent.section("persistence").map(s -> {
            PersistenceKind kind = s.choice("type", PersistenceKind.class, PersistenceKind.COOKIE);
            if (!s.has("type")) {
                s.error(s.what() + " needs 'type': cookie, source or none");
            }
            if (kind != PersistenceKind.COOKIE) {
                for (String key : List.of("cookie", "secret-file", "max-age")) {
                    if (s.has(key)) {
                        s.error(key, "'" + key + "' applies to persistence type cookie only");
                    }
                }
                s.finish();
                return kind == PersistenceKind.SOURCE ? new Persistence.Source() : Persistence.NONE;
            }
            String name = s.string("cookie", Persistence.Cookie.DEFAULT_NAME).strip();
            Optional<Duration> maxAge = s.optionalDuration("max-age", Duration.ofSeconds(1), Duration.ofDays(3650));
            CookieSecret secret = s.optionalString("secret-file").map(f -> secret(s, f)).orElse(CookieSecret.BUILT_IN);
            Persistence p = s.build(() -> new Persistence.Cookie(name, secret, maxAge));
            return p == null ? Persistence.NONE : p;
        });
    }

    /** Reads the secret file now, so validate and every reload check it (and a renewal is a change). */
    private static CookieSecret secret(Section s, String text) {
        if (text.isBlank()) {
            s.error("secret-file", "'secret-file' must name a file");
            return CookieSecret.BUILT_IN;
        }
        Path file = Path.of(text.strip());
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_SECRET_BYTES) {
                s.error("secret-file", "the cookie secret " + file + " is larger than " + MAX_SECRET_BYTES
                        + " octets; it should hold a random key, e.g. from `openssl rand -hex 32`");
                return CookieSecret.BUILT_IN;
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            s.error("secret-file", "the cookie secret " + file + " cannot be read: " + e.getMessage());
            return CookieSecret.BUILT_IN;
        }
        String content = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).strip();
        if (content.length() < CookieSecret.MIN_BYTES) {
            s.error("secret-file", "the cookie secret " + file + " holds " + content.length() + " octets; it needs at least "
                    + CookieSecret.MIN_BYTES + " (e.g. `openssl rand -hex 32 > " + file + "`)");
            return CookieSecret.BUILT_IN;
        }
        return new CookieSecret(Optional.of(file), content.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static BackendKeepAlive keepAlive(Section s) {
        int max = s.integer("max-idle", BackendKeepAlive.DEFAULT_MAX_IDLE, 0, BackendKeepAlive.MAX_MAX_IDLE);
        Duration idle = s.duration("idle-timeout", BackendKeepAlive.DEFAULT_IDLE_TIMEOUT, Duration.ofMillis(100),
                Duration.ofHours(1));
        BackendKeepAlive k = s.build(() -> new BackendKeepAlive(max, idle));
        return k == null ? BackendKeepAlive.DEFAULTS : k;
    }

    /** {@code proxy-protocol: { trusted: [CIDR, ...] }}: who may send a PROXY header. */
    private static List<Cidr> proxyProtocol(Section s) {
        List<Cidr> trusted = s.parsedList("trusted", Cidr::parse);
        if (!s.has("trusted")) {
            s.error(s.what() + " needs 'trusted': the addresses of the proxies that send a PROXY protocol header");
        } else if (trusted.isEmpty() && s.clean()) {
            s.error("trusted", "'trusted' is empty; leave proxy-protocol out to read no PROXY header");
        }
        s.finish();
        return trusted;
    }
}
