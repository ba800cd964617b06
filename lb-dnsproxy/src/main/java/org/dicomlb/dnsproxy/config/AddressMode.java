package org.dicomlb.dnsproxy.config;

/**
 * How many endpoints a {@code dns} backend becomes: {@code first} (the first address of the
 * answer, as the resolver ordered it) or {@code all} (one endpoint per distinct address).
 */
public enum AddressMode {
    FIRST,
    ALL
}
