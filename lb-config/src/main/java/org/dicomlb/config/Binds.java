package org.dicomlb.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCP addresses a configuration binds, across every section that binds one (admin listener,
 * proxy listeners, GSLB), so that two parts asking for the same address get a located error
 * naming both instead of a bind failure at start.
 */
public final class Binds {
    private record Claim(String what, InetSocketAddress address, Location location) {
    }

    private final List<Claim> claims = new ArrayList<>();

    /**
     * Records that {@code what} (e.g. "listener 'dicom'") binds the address under {@code key} of
     * {@code s}; an address some earlier part binds is reported at that key. Null addresses
     * (already reported as invalid) are ignored.
     */
    public void claim(Section s, String key, String what, InetSocketAddress address) {
        if (address == null) {
            return;
        }
        for (Claim c : claims) {
            if (overlaps(c.address(), address)) {
                s.error(key, what + " binds " + SocketAddresses.format(address) + ", which " + c.what()
                        + " already binds (" + c.location() + ")");
                return;
            }
        }
        claims.add(new Claim(what, address, s.locationOf(key)));
    }

    /** True when binding both would conflict: same port, and the same address or a wildcard covering the other. */
    static boolean overlaps(InetSocketAddress x, InetSocketAddress y) {
        if (x.getPort() != y.getPort()) {
            return false;
        }
        InetAddress a = x.getAddress();
        InetAddress b = y.getAddress();
        if (a.equals(b)) {
            return true;
        }
        // A wildcard bind takes the port on every address of its family (and, for ::, of both).
        boolean sameFamily = a.getClass() == b.getClass();
        return (a.isAnyLocalAddress() && (sameFamily || a instanceof Inet6Address))
                || (b.isAnyLocalAddress() && (sameFamily || b instanceof Inet6Address));
    }
}
