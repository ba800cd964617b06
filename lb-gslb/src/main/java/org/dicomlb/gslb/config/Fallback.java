package org.dicomlb.gslb.config;

/** What a name answers when none of its members is healthy. */
public enum Fallback {
    /** Every member, as if healthy: a broken health view must not take the name out of DNS. The default. */
    ALL,
    /** SERVFAIL: resolvers keep trying (or serve what they have cached) instead of getting a dead site. */
    REFUSE
}
