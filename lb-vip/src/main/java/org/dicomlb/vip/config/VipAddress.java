package org.dicomlb.vip.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import org.dicomlb.config.SocketAddresses;

/**
 * One floating address with the prefix length it gets on the interface, e.g. {@code 192.0.2.10/24}.
 * Unlike {@link org.dicomlb.config.Cidr} the host part is kept: it is the address itself.
 * IPv4 only: the pair, its tests and keepalived's generated configuration are IPv4.
 */
public record VipAddress(Inet4Address address, int prefixLength) {
    public VipAddress {
        Objects.requireNonNull(address, "address");
        if (prefixLength < 1 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range 1..32");
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isMulticastAddress()
                || address.isLinkLocalAddress()) {
            throw new IllegalArgumentException(address.getHostAddress()
                    + " cannot float between hosts (it is a wildcard, loopback, multicast or link-local address)");
        }
    }

    /** {@code a.b.c.d/len}, or a bare {@code a.b.c.d} meaning {@code /32}. */
    public static VipAddress parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        InetAddress ip = SocketAddresses.address(slash < 0 ? s : s.substring(0, slash), text);
        if (!(ip instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("'" + text + "' is an IPv6 address; floating addresses are IPv4 only");
        }
        int len = 32;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': the prefix length is not a number");
            }
            if (len < 1 || len > 32) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 1..32");
            }
        }
        return new VipAddress(v4, len);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
