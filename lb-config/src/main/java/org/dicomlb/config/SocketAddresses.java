package org.dicomlb.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * {@code host:port} and {@code [v6]:port} with an IP literal for host. Hostnames are refused on
 * purpose: resolving them at load time would block and pin one answer forever; the {@code dns}
 * backend kind re-resolves names on a schedule instead.
 */
public final class SocketAddresses {
    private SocketAddresses() {
    }

    /** Parses {@code ip:port} or {@code [ipv6]:port}; throws {@link IllegalArgumentException} for users. */
    public static InetSocketAddress parse(String text) {
        String s = text.strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not an address; write [v6-address]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port; write host:port, e.g. 127.0.0.1:104");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("'" + text + "': put an IPv6 address in brackets, e.g. [::1]:104");
            }
        }
        return new InetSocketAddress(address(host, text), port(port, text));
    }

    /** An IP literal (v4 or v6, no brackets). */
    public static InetAddress address(String host, String whole) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + whole + "' has no address before the port");
        }
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + host + "' is not an IP address (hostnames are not resolved here; "
                    + "use a dns backend for names)");
        }
    }

    /** A TCP/UDP port, 1..65535. */
    public static int port(String port, String whole) {
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + whole + "': port '" + port + "' is not a number");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("'" + whole + "': port " + p + " is out of range 1..65535");
        }
        return p;
    }

    /** {@code 127.0.0.1:104} or {@code [::1]:104}: the form {@link #parse} reads. */
    public static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : ip.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
