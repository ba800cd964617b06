package org.dicomlb.vip.config;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code vip:} section: one VRRP instance (VRRPv3) that floats {@code addresses} on
 * {@code interfaceName} between this appliance and its peer.
 *
 * @param interfaceName  the interface the VIP lives on and VRRP adverts go out of
 * @param addresses      the floating addresses, 1 to {@value #MAX_ADDRESSES}
 * @param virtualRouterId the VRID, 1..255, the same on both nodes and unique on the segment
 * @param priority       this node's priority, 1..254 (the higher one is master)
 * @param advertInterval VRRP advert interval, a multiple of 10 ms from 10 ms to 40.95 s
 * @param preemption     whether a higher priority takes the VIP from a healthy master
 * @param unicastPeers   the peer's address(es) for unicast VRRP; empty means multicast 224.0.0.18
 * @param unicastSource  the source address of unicast adverts; empty means the interface's primary
 * @param tracking       the listeners and pools that must serve, and the priority drop when they cannot
 */
public record VipConfig(String interfaceName, List<VipAddress> addresses, int virtualRouterId, int priority,
                        Duration advertInterval, Preemption preemption, List<Inet4Address> unicastPeers,
                        Optional<Inet4Address> unicastSource, Tracking tracking) {
    public static final int MAX_ADDRESSES = 16;
    public static final int MAX_UNICAST_PEERS = 8;
    public static final int DEFAULT_PRIORITY = 100;
    /** 255 means "address owner" in VRRP: keepalived would never let tracking lower it. */
    public static final int MAX_PRIORITY = 254;
    public static final Duration DEFAULT_ADVERT_INTERVAL = Duration.ofMillis(100);
    /** VRRPv3 carries the interval in centiseconds in 12 bits. */
    public static final Duration MIN_ADVERT_INTERVAL = Duration.ofMillis(10);
    public static final Duration MAX_ADVERT_INTERVAL = Duration.ofMillis(40_950);
    /**
     * Linux interface names: at most 15 bytes. The name goes into keepalived's configuration, so
     * anything that could end a token there (blanks, braces, quotes, '#', '!') is refused.
     */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");

    public VipConfig {
        requireInterfaceName(interfaceName);
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty() || addresses.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("a VIP needs 1 to " + MAX_ADDRESSES + " addresses");
        }
        if (new HashSet<>(addresses.stream().map(VipAddress::address).toList()).size() != addresses.size()) {
            throw new IllegalArgumentException("an address is listed twice");
        }
        if (virtualRouterId < 1 || virtualRouterId > 255) {
            throw new IllegalArgumentException("virtual router id " + virtualRouterId + " is out of range 1..255");
        }
        if (priority < 1 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority " + priority + " is out of range 1.." + MAX_PRIORITY);
        }
        Objects.requireNonNull(advertInterval, "advertInterval");
        if (advertInterval.compareTo(MIN_ADVERT_INTERVAL) < 0 || advertInterval.compareTo(MAX_ADVERT_INTERVAL) > 0
                || advertInterval.toMillis() % 10 != 0 || advertInterval.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("advert interval must be a multiple of 10ms from 10ms to 40s950ms");
        }
        Objects.requireNonNull(preemption, "preemption");
        unicastPeers = List.copyOf(unicastPeers);
        if (unicastPeers.size() > MAX_UNICAST_PEERS) {
            throw new IllegalArgumentException("at most " + MAX_UNICAST_PEERS + " unicast peers");
        }
        Objects.requireNonNull(unicastSource, "unicastSource");
        if (unicastSource.isPresent() && unicastPeers.isEmpty()) {
            throw new IllegalArgumentException("a unicast source needs unicast peers");
        }
        Objects.requireNonNull(tracking, "tracking");
    }

    /** The name when it is a usable Linux interface name, else an {@link IllegalArgumentException} for users. */
    public static String requireInterfaceName(String name) {
        Objects.requireNonNull(name, "interface name");
        if (!INTERFACE.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is not an interface name (1 to 15 letters, digits, '.', '_', '-', '@')");
        }
        return name;
    }

    /**
     * RFC 5798 §6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256, the part of
     * the master-down interval that lets the higher priority backup win. Here for this node's
     * configured priority.
     */
    public Duration skewTime() {
        return advertInterval.multipliedBy(256 - priority).dividedBy(256);
    }

    /** RFC 5798 §6.1: 3 * Master_Adver_Interval + Skew_Time, how long a backup waits for a silent master. */
    public Duration masterDownInterval() {
        return advertInterval.multipliedBy(3).plus(skewTime());
    }
}
