package org.dicomlb.harness.bench;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Where everything listens. All of it is on loopback: proxies on 127.0.0.1 with distinct ports,
 * backends on their own 127.0.0.2x addresses so a backend is never mistaken for a proxy. The
 * ports come from one base so a second checkout can run beside this one with another base.
 */
public record Layout(int portBase) {
    public static final String PROXY_HOST = "127.0.0.1";
    /** HTTP, iperf3 and DICOM backends. */
    public static final String BACKEND_HOST = "127.0.0.21";
    /** The idle backend of the memory scenario (kept apart from the busy ones). */
    public static final String IDLE_BACKEND_HOST = "127.0.0.22";
    private static final int SPAN = 20;

    public Layout {
        if (portBase < 1024 || portBase + SPAN > 65535) {
            throw new IllegalArgumentException("port base must be 1024.." + (65535 - SPAN) + ", not " + portBase);
        }
    }

    public InetSocketAddress dicomlb() {
        return new InetSocketAddress(PROXY_HOST, portBase + 1);
    }

    public InetSocketAddress haproxy() {
        return new InetSocketAddress(PROXY_HOST, portBase + 2);
    }

    public InetSocketAddress dicomlbAdmin() {
        return new InetSocketAddress(PROXY_HOST, portBase + 9);
    }

    public InetSocketAddress nginx() {
        return new InetSocketAddress(BACKEND_HOST, portBase + 10);
    }

    public InetSocketAddress iperf3() {
        return new InetSocketAddress(BACKEND_HOST, portBase + 11);
    }

    /**
     * storescp (DCMTK 3.6.7) cannot bind one address and listens on all of them; the harness
     * only ever connects to it on {@link #BACKEND_HOST}.
     */
    public InetSocketAddress storescp() {
        return new InetSocketAddress(BACKEND_HOST, portBase + 12);
    }

    public InetSocketAddress idleBackend() {
        return new InetSocketAddress(IDLE_BACKEND_HOST, portBase + 13);
    }

    /** dicomlb's GSLB (UDP and TCP) in the DNS scenario. */
    public InetSocketAddress gslb() {
        return new InetSocketAddress(PROXY_HOST, portBase + 14);
    }

    /** gdnsd (UDP and TCP) in the DNS scenario. */
    public InetSocketAddress gdnsd() {
        return new InetSocketAddress(PROXY_HOST, portBase + 15);
    }

    /** What both proxies' checks probe in the iperf3 scenarios, beside {@link #iperf3()} (see {@code CheckTarget}). */
    public InetSocketAddress iperf3Check() {
        return new InetSocketAddress(BACKEND_HOST, portBase + 16);
    }

    /** The Netty relay variant ({@code proxy.NettyRelay}). */
    public InetSocketAddress nettyRelay() {
        return new InetSocketAddress(PROXY_HOST, portBase + 17);
    }

    /** The Netty UDP floor of the DNS scenario ({@code proxy.NettyUdpFloor}). */
    public InetSocketAddress udpFloor() {
        return new InetSocketAddress(PROXY_HOST, portBase + 18);
    }

    /** The Netty HTTP floor variant ({@code proxy.NettyHttpFloor}). */
    public InetSocketAddress nettyHttp() {
        return new InetSocketAddress(PROXY_HOST, portBase + 19);
    }

    /** Every port the harness may listen on, checked to be free before the run. */
    public List<Integer> ports() {
        return IntStream.rangeClosed(portBase + 1, portBase + 19).boxed().toList();
    }
}
