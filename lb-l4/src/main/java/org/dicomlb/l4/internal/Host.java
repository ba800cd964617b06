package org.dicomlb.l4.internal;

import java.net.InetAddress;
import java.util.Optional;
import org.dicomlb.l4.L4Exception;

/**
 * What the kernel listeners need of the host they run on. {@link LocalHost} is the real one
 * (optionally through a launcher such as {@code ip netns exec NS}, as the tests use it).
 */
public interface Host {
    /** Runs an nft script as one transaction; throws with nft's own message when it refuses. */
    void nft(String script) throws L4Exception;

    /** Checks a script with {@code nft -c} (the kernel validates it; nothing changes). */
    void nftCheck(String script) throws L4Exception;

    /** {@code nft -j list counters table FAMILY NAME}; empty when the table does not exist. */
    String counters(String family, String table) throws L4Exception;

    /** The IPv4 neighbour table as {@code /proc/net/arp} prints it. */
    String arp() throws L4Exception;

    /** The MAC address of {@code iface}, or empty when there is no such interface. */
    Optional<String> mac(String iface) throws L4Exception;

    /** Whether the host forwards IPv4 ({@code net.ipv4.ip_forward}). */
    boolean forwardsIpv4() throws L4Exception;

    /** Makes the kernel resolve {@code address}'s MAC: one datagram to its discard port. */
    void probe(InetAddress address);
}
