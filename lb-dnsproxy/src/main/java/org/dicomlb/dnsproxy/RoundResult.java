package org.dicomlb.dnsproxy;

import java.util.Locale;

/** How the last resolution round of a {@code dns} backend ended. */
public enum RoundResult {
    /** No round has ended yet (the backend was just added). */
    PENDING,
    /** A resolver answered with at least one address. */
    ANSWER,
    /** A resolver answered that the name does not exist. An answer: the backend is down at once. */
    NXDOMAIN,
    /** A resolver answered that the name has no address of the family asked. An answer: down at once. */
    NODATA,
    /** Every resolver failed (timeout, SERVFAIL, REFUSED, error). The last answer is kept until resolve-fall. */
    FAILED;

    /** True when a resolver answered (with or without addresses): addresses not in it left the answer. */
    public boolean answered() {
        return this == ANSWER || this == NXDOMAIN || this == NODATA;
    }

    /** The metric tag and status text: {@code answer}, {@code nxdomain} ... */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
