package org.dicomlb.gslb.config;

/** How a GSLB name picks among its healthy members; written {@code failover}, {@code weighted} ... */
public enum Method {
    /** The first healthy member in the order written. */
    FAILOVER,
    /** One healthy member per answer, chosen at random in proportion to its weight. */
    WEIGHTED,
    /** A healthy member of the client's datacenter (longest-prefix match on its subnet), else failover order. */
    TOPOLOGY,
    /** Every healthy member. */
    ALL
}
