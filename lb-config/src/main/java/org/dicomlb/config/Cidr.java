package org.dicomlb.config;

import java.net.InetAddress;
import java.util.Objects;

/** An IPv4 or IPv6 prefix such as {@code 127.0.1.0/24}; a bare address means a host prefix. */
public record Cidr(InetAddress network, int prefixLength) {
    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range 0.." + bits);
        }
        byte[] masked = mask(network.getAddress(), prefixLength);
        if (!java.util.Arrays.equals(masked, network.getAddress())) {
            try {
                network = InetAddress.getByAddress(masked);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        InetAddress ip = SocketAddresses.address(slash < 0 ? s : s.substring(0, slash), text);
        int bits = ip.getAddress().length * 8;
        int len = bits;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': prefix length is not a number");
            }
            if (len < 0 || len > bits) {
                throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + bits);
            }
        }
        return new Cidr(ip, len);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        return java.util.Arrays.equals(mask(a, prefixLength), n);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
