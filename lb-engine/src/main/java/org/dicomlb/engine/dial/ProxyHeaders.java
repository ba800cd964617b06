package org.dicomlb.engine.dial;

import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The PROXY protocol v2 header a pool with {@code proxy-protocol: v2} sends first on every new
 * backend connection: the client's address and port and the address and port it connected to,
 * so a backend behind dicomlb sees its real clients (nginx {@code listen ... proxy_protocol},
 * HAProxy {@code accept-proxy}, Orthanc behind either). An IPv4 client on an IPv6 listener (or
 * the reverse) is sent as IPv6 with the IPv4 address mapped.
 */
public final class ProxyHeaders {
    static final String ENCODER = "proxy-header-encoder";
    private static final AttributeKey<Boolean> SENT = AttributeKey.valueOf(ProxyHeaders.class, "sent");

    private ProxyHeaders() {
    }

    /**
     * Queues the header on a just-connected backend channel, before anything else is written
     * (before the TLS handshake when the pool has TLS, as the protocol requires).
     */
    static void send(Channel backend, InetSocketAddress client, InetSocketAddress local) {
        backend.attr(SENT).set(Boolean.TRUE);
        backend.pipeline().addFirst(ENCODER, HAProxyMessageEncoder.INSTANCE);
        // The encoder turns the message into bytes during write(), so it can leave at once; the TLS
        // handler added next sits in front of it and never sees the header. Flushed now: a protocol
        // whose server speaks first must get the header before the client has sent anything.
        backend.writeAndFlush(header(client, local), backend.voidPromise());
        backend.pipeline().remove(ENCODER);
    }

    /**
     * Whether {@code backend} began with a PROXY header, so it names one client and may serve no
     * other. Asked of the connection, not of its pool: a reload may turn the pool's
     * {@code proxy-protocol} off while the connection is in use, and the header it began with stays.
     */
    public static boolean sent(Channel backend) {
        return backend.hasAttr(SENT);
    }

    static HAProxyMessage header(InetSocketAddress client, InetSocketAddress local) {
        InetAddress from = client.getAddress();
        InetAddress to = local.getAddress();
        boolean v4 = from instanceof Inet4Address && to instanceof Inet4Address;
        String src = literal(v4 ? from : v6(from));
        String dst = literal(v4 ? to : v6(to));
        return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6, src, dst, client.getPort(), local.getPort());
    }

    /** The address without an IPv6 zone ({@code %eth0}), which the header has no room for. */
    private static String literal(InetAddress a) {
        String s = a.getHostAddress();
        int zone = s.indexOf('%');
        return zone < 0 ? s : s.substring(0, zone);
    }

    private static InetAddress v6(InetAddress a) {
        if (a instanceof Inet6Address) {
            return a;
        }
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(a.getAddress(), 0, b, 12, 4);
        try {
            // getByAddress folds an IPv4-mapped address back into an Inet4Address; build the IPv6 one.
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
