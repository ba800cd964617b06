package org.dicomlb.engine.http;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.dicomlb.engine.config.ForwardedHeaders;
import org.dicomlb.engine.config.HeaderRules;

/**
 * What dicomlb does to header fields on the way through (docs/http.md, "Headers"): hop-by-hop
 * fields (RFC 9110 section 7.6.1, RFC 9112) are connection-specific and never passed on; the
 * forwarded fields are added, and incoming ones believed only from trusted proxies; the
 * configured rules apply last.
 */
final class Headers {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    /** HTTP/2's cleartext upgrade (RFC 7540 section 3.2), which dicomlb does not offer; hop-by-hop whether named or not. */
    static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");
    /** What a registered name may hold besides letters and digits (RFC 3986 section 3.2.2: unreserved, pct-encoded, sub-delims). */
    private static final String REG_NAME_MARKS = "-._~%!$&'()*+,;=";
    private static final java.util.Set<String> PROTECTED = java.util.Set.of("host", "content-length", "transfer-encoding");
    private static final AsciiString WEBSOCKET = AsciiString.cached("websocket");
    private static final String KEEP_ALIVE = "keep-alive";
    /** What Netty's HTTP/2 to HTTP/1.1 conversion adds for its own use; never sent to a backend. */
    private static final List<AsciiString> HTTP2_EXTENSIONS = List.of(
            HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
            HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text(),
            HttpConversionUtil.ExtensionHeaderNames.PROTOCOL.text());

    private Headers() {
    }

    /**
     * A WebSocket opening handshake (RFC 6455 section 4.1) that dicomlb passes on as one: an
     * HTTP/1.1 {@code GET} with {@code Upgrade: websocket} and {@code Connection: upgrade}, and
     * without a body. Anything else goes on as plain HTTP, its upgrade removed, so that no backend
     * can switch it to a tunnel: an HTTP/1.0 request, whose {@code Upgrade} a server must ignore
     * (RFC 9110 section 7.8), and a request with a body, which a backend may take for the
     * tunnel's first bytes while dicomlb reads it as a body (or the other way round).
     */
    static boolean opensWebSocket(HttpRequest r) {
        HttpHeaders h = r.headers();
        return r.protocolVersion().equals(HttpVersion.HTTP_1_1) && r.method().equals(HttpMethod.GET)
                && r.decoderResult().isSuccess()
                && h.containsValue(HttpHeaderNames.UPGRADE, WEBSOCKET, true)
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true)
                && !h.contains(HttpHeaderNames.TRANSFER_ENCODING) && HttpUtil.getContentLength(r, 0L) == 0;
    }

    /**
     * Removes {@code Content-Length} and {@code Transfer-Encoding} from a response that has no
     * body and may not announce one: a 1xx or a 204 (RFC 9110 section 8.6, RFC 9112 section 6.1).
     * Netty's HTTP/1.1 encoder drops them by itself, but its HTTP/2 conversion passes
     * {@code content-length} on, and an HTTP/2 client on nghttp2 (curl) then resets the
     * stream with PROTOCOL_ERROR instead of showing the response.
     */
    static void removeBodyFraming(HttpHeaders h) {
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
    }

    /**
     * Removes the hop-by-hop fields: those {@code Connection} names, and {@code Connection},
     * {@code Keep-Alive}, {@code Proxy-Connection}, {@code HTTP2-Settings}, {@code TE},
     * {@code Upgrade} themselves. {@code Transfer-Encoding} is framing, which the codecs redo on
     * each hop, so it stays as the message's own description of its body. With {@code upgrade},
     * the WebSocket upgrade is kept ({@code Connection: upgrade} and {@code Upgrade}).
     */
    static void removeHopByHop(HttpHeaders h, boolean upgrade) {
        Iterator<? extends CharSequence> values = h.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
        if (values.hasNext()) {
            // The values are walked without a list (nearly every message has one, "keep-alive" or
            // "close"); the fields they name are removed after the walk, not during it.
            List<String> named = null;
            while (values.hasNext()) {
                String value = values.next().toString();
                int n = value.length();
                for (int start = 0; start < n; ) {
                    int comma = value.indexOf(',', start);
                    int end = comma < 0 ? n : comma;
                    String t = connectionToken(value, start, end, upgrade);
                    if (t != null) {
                        if (named == null) {
                            named = new ArrayList<>(2);
                        }
                        named.add(t);
                    }
                    start = end + 1;
                }
            }
            if (named != null) {
                for (String t : named) {
                    h.remove(t);
                }
            }
            h.remove(HttpHeaderNames.CONNECTION);
        }
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(PROXY_CONNECTION);
        h.remove(HTTP2_SETTINGS);
        h.remove(HttpHeaderNames.TE);
        if (upgrade) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
        } else {
            h.remove(HttpHeaderNames.UPGRADE);
        }
    }

    /**
     * One token of a {@code Connection} field, {@code value[start, end)}: the name of a field to
     * remove, or null. {@code keep-alive}, nearly every message's, is passed over without a
     * string, its field being removed anyway.
     */
    private static String connectionToken(String value, int start, int end, boolean upgrade) {
        while (start < end && Character.isWhitespace(value.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(value.charAt(end - 1))) {
            end--;
        }
        int len = end - start;
        if (len == 0 || (len == KEEP_ALIVE.length() && value.regionMatches(true, start, KEEP_ALIVE, 0, len))) {
            return null;
        }
        String t = value.substring(start, end);
        // Framing and routing fields are not the sender's to drop this way (a known trick
        // to strip Host or a body's length on the way through a proxy).
        if ((upgrade && t.equalsIgnoreCase("upgrade")) || PROTECTED.contains(t.toLowerCase(Locale.ROOT))) {
            return null;
        }
        return t;
    }

    /** Whether {@code h} has more than one {@code name} field (looked at without making a list of them). */
    static boolean repeated(HttpHeaders h, CharSequence name) {
        Iterator<? extends CharSequence> values = h.valueCharSequenceIterator(name);
        if (!values.hasNext()) {
            return false;
        }
        values.next();
        return values.hasNext();
    }

    /**
     * Whether a {@code Host} value is {@code uri-host [":" port]} (RFC 9112 section 3.2, RFC 3986
     * section 3.2.2): a registered name or IPv4 address, or an IPv6 literal in brackets; empty is
     * allowed (a target without an authority).
     */
    static boolean validHost(String value) {
        String v = value.strip();
        int n = v.length();
        int i = 0;
        if (n > 0 && v.charAt(0) == '[') {
            int close = v.indexOf(']');
            if (close < 0) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = v.charAt(i);
                if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                    return false;
                }
            }
            i = close + 1;
        } else {
            for (; i < n && v.charAt(i) != ':'; i++) {
                char c = v.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || REG_NAME_MARKS.indexOf(c) >= 0)) {
                    return false;
                }
            }
        }
        if (i == n) {
            return true;
        }
        if (v.charAt(i) != ':') {
            return false;
        }
        for (i++; i < n; i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Fields a client may not send in a request's trailers (RFC 9110 section 6.5.1): framing,
     * routing, forwarding, authentication and how the content is to be read. A backend that merged
     * them into the header section would otherwise take from the trailers what dicomlb checked or
     * replaced in the headers.
     */
    private static final java.util.Set<String> NOT_IN_TRAILERS = java.util.Set.of("host", "content-length",
            "transfer-encoding", "trailer", "te", "connection", "keep-alive", "upgrade", "proxy-connection",
            "http2-settings", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip",
            "forwarded", "authorization", "proxy-authorization", "cookie", "content-encoding", "content-type",
            "content-range", "expect");

    /** Removes from a request's trailers what may not be there ({@link #NOT_IN_TRAILERS}, pseudo-header fields). */
    static void filterTrailers(HttpHeaders trailers) {
        // names() is a new set, so the fields can go while it is walked.
        for (String name : trailers.names()) {
            if (name.startsWith(":") || NOT_IN_TRAILERS.contains(name.toLowerCase(Locale.ROOT))) {
                trailers.remove(name);
            }
        }
    }

    /** Whether a request's {@code Transfer-Encoding} is the chunked coding alone: one field, one token. */
    static boolean onlyChunked(HttpHeaders h) {
        List<String> values = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        return values.size() == 1 && values.getFirst().strip().equalsIgnoreCase("chunked");
    }

    /** The extension fields Netty's HTTP/2 conversion adds ({@code x-http2-*}). */
    static void removeHttp2Extensions(HttpHeaders h) {
        for (AsciiString n : HTTP2_EXTENSIONS) {
            h.remove(n);
        }
    }

    /**
     * Adds dicomlb's forwarded fields for a request from {@code client} (which knows the scheme
     * it came in over) for {@code host} (the request's Host, or null).
     *
     * <ul>
     *   <li>From a client in {@code trusted}: incoming {@code X-Forwarded-For} and
     *       {@code Forwarded} are kept and the client is appended; incoming
     *       {@code X-Forwarded-Proto} and {@code -Host} are kept as they are (the proxy in front
     *       knows better), and set when absent.</li>
     *   <li>From any other client, every incoming {@code X-Forwarded-For}, {@code -Proto},
     *       {@code -Host}, {@code -Port}, {@code X-Real-IP} and {@code Forwarded} is removed first,
     *       so what the backend reads is dicomlb's word alone.</li>
     * </ul>
     */
    static void forwarded(HttpHeaders h, ForwardedHeaders f, ClientForwarding client, String host) {
        boolean trusted = !f.trusted().isEmpty() && f.trusts(client.address.getAddress());
        if (!trusted) {
            h.remove(X_FORWARDED_FOR);
            h.remove(X_FORWARDED_PROTO);
            h.remove(X_FORWARDED_HOST);
            h.remove(X_FORWARDED_PORT);
            h.remove(X_REAL_IP);
            h.remove(FORWARDED);
            if (f.xForwarded() || f.forwarded()) {
                h.add(client.fields(f, host));
            }
            return;
        }
        // A field known absent is added rather than set, which would look for it again to remove it.
        if (f.xForwarded()) {
            append(h, X_FORWARDED_FOR, client.ip);
            if (!h.contains(X_FORWARDED_PROTO)) {
                h.add(X_FORWARDED_PROTO, client.scheme);
            }
            if (host != null && !h.contains(X_FORWARDED_HOST)) {
                h.add(X_FORWARDED_HOST, client.host(host));
            }
        }
        if (f.forwarded()) {
            append(h, FORWARDED, client.element(host));
        }
    }

    /**
     * What the forwarded fields say about one client connection, made once rather than per
     * request: its address literal, the scheme it came in over, and the last host seen with its
     * RFC 7239 element (a connection's requests nearly always name the same host), and the fields
     * an untrusted client's request gets, ready to be copied in whole ({@link #fields}).
     *
     * <p>The values are {@link AsciiString}s, which the headers check and the encoder copies as
     * bytes rather than character by character (a String's are); they are ASCII by construction
     * (an address literal, a scheme, and a Host the decoder read as ISO-8859-1 and the headers
     * validated).
     */
    static final class ClientForwarding {
        final InetSocketAddress address;
        final AsciiString ip;
        final AsciiString scheme;
        private final String node;
        private boolean remembered;
        private String host;
        private AsciiString hostValue;
        private AsciiString element;
        /** {@link #fields}' last answer, and the settings it was made for. */
        private HttpHeaders fields;
        private ForwardedHeaders fieldsFor;

        ClientForwarding(InetSocketAddress address, String scheme) {
            this.address = address;
            this.ip = new AsciiString(literal(address));
            this.scheme = AsciiString.cached(scheme);
            this.node = node(address);
        }

        /** {@code host} as a field value (the same string as the last request's gives the same value). */
        AsciiString host(String host) {
            remember(host);
            return hostValue;
        }

        AsciiString element(String host) {
            remember(host);
            if (element == null) {
                StringBuilder e = new StringBuilder(64).append("for=").append(node).append(";proto=").append(scheme);
                if (host != null) {
                    e.append(";host=").append(value(host));
                }
                element = new AsciiString(e);
            }
            return element;
        }

        /**
         * The forwarded fields {@code f} gives a request for {@code host} from an untrusted
         * client, none of whose own are left: {@code X-Forwarded-For}, {@code -Proto},
         * {@code -Host} and {@code Forwarded}, in that order, as headers to add whole. Made by the
         * factory the HTTP/1.1 decoder makes a request's headers with, so adding them copies the
         * entries without checking each name and value again: checked once here, the four fields
         * cost a request a quarter of what adding them one by one did (about 23 against 92 ns).
         * Headers another factory made, with other checks, take them one by one, checked.
         */
        HttpHeaders fields(ForwardedHeaders f, String host) {
            remember(host);
            if (fields == null || fieldsFor != f) {
                HttpHeaders made = DefaultHttpHeadersFactory.headersFactory().newHeaders();
                if (f.xForwarded()) {
                    made.add(X_FORWARDED_FOR, ip);
                    made.add(X_FORWARDED_PROTO, scheme);
                    if (host != null) {
                        made.add(X_FORWARDED_HOST, hostValue);
                    }
                }
                if (f.forwarded()) {
                    made.add(FORWARDED, element(host));
                }
                fields = made;
                fieldsFor = f;
            }
            return fields;
        }

        private void remember(String host) {
            if (!remembered || !java.util.Objects.equals(host, this.host)) {
                remembered = true;
                this.host = host;
                this.hostValue = host == null ? null : new AsciiString(host);
                this.element = null;
                this.fields = null;
            }
        }
    }

    /** {@code entry} appended to the existing values of {@code name} (several fields joined as one list), or alone. */
    private static void append(HttpHeaders h, AsciiString name, AsciiString entry) {
        if (!h.contains(name)) {
            h.add(name, entry);
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String v : h.getAll(name)) {
            if (!v.isBlank()) {
                sb.append(v.strip()).append(", ");
            }
        }
        h.set(name, sb.append(entry).toString());
    }

    private static String literal(InetSocketAddress a) {
        String s = a.getAddress().getHostAddress();
        int zone = s.indexOf('%');
        return zone < 0 ? s : s.substring(0, zone);
    }

    /** RFC 7239 section 6: an IPv6 node is bracketed and, having colons, quoted. */
    private static String node(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address ? "\"[" + literal(a) + "]\"" : literal(a);
    }

    /** A token as is, anything else (a host with a port, an IPv6 literal) as a quoted-string. */
    static String value(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
        }
        return v;
    }

    /** Applies {@code rules}: remove, then set, then add. */
    static void apply(HttpHeaders h, HeaderRules rules) {
        if (rules.isEmpty()) {
            return;
        }
        for (String n : rules.remove()) {
            h.remove(n);
        }
        for (HeaderRules.Header x : rules.set()) {
            h.set(x.name(), x.value());
        }
        for (HeaderRules.Header x : rules.add()) {
            h.add(x.name(), x.value());
        }
    }

    /**
     * The host a request is for, as routes match it: the {@code Host} field lower-cased, without
     * its port or a trailing dot; an IPv6 literal keeps its brackets. Null without a Host.
     */
    static String routingHost(String hostField) {
        if (hostField == null) {
            return null;
        }
        String h = hostField.strip().toLowerCase(Locale.ROOT);
        if (h.isEmpty()) {
            return null;
        }
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(0, close + 1);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** The path part of a request target (before '?' or '#'). */
    static String path(String uri) {
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return uri.substring(0, end);
    }

    /** The value of cookie {@code name} among the request's {@code Cookie} fields, or null. */
    static String cookie(HttpHeaders h, String name) {
        for (String field : h.getAll(HttpHeaderNames.COOKIE)) {
            int i = 0;
            int n = field.length();
            while (i < n) {
                while (i < n && (field.charAt(i) == ' ' || field.charAt(i) == ';')) {
                    i++;
                }
                int eq = field.indexOf('=', i);
                int semi = field.indexOf(';', i);
                if (semi < 0) {
                    semi = n;
                }
                if (eq < 0 || eq > semi) {
                    i = semi + 1;
                    continue;
                }
                if (eq - i == name.length() && field.regionMatches(i, name, 0, name.length())) {
                    String v = field.substring(eq + 1, semi).strip();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    return v;
                }
                i = semi + 1;
            }
        }
        return null;
    }
}
