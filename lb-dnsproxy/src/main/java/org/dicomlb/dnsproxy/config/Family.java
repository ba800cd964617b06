package org.dicomlb.dnsproxy.config;

/** Which address records a {@code dns} backend asks for: {@code ipv4} (A), {@code ipv6} (AAAA) or {@code any} (both). */
public enum Family {
    IPV4,
    IPV6,
    ANY
}
