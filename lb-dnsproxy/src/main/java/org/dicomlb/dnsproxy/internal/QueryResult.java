package org.dicomlb.dnsproxy.internal;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one resolver said (or failed to say) to one question.
 *
 * @param addresses the addresses of an {@link Kind#ANSWER}, in the resolver's order; empty otherwise
 * @param detail    for a failure, what went wrong in words an operator understands
 */
public record QueryResult(Kind kind, List<InetAddress> addresses, String detail) {
    public enum Kind {
        /** NOERROR with at least one address record for the name (after following CNAMEs). */
        ANSWER,
        /** The name does not exist: an answer, not a resolver failure. */
        NXDOMAIN,
        /** The name exists but has no record of the family asked: an answer, not a resolver failure. */
        NODATA,
        TIMEOUT,
        SERVFAIL,
        REFUSED,
        /** Any other failure: another rcode, a malformed or mismatched response, a referral, a network error. */
        ERROR;

        /** True for ANSWER, NXDOMAIN and NODATA: the resolver did its job, the round ends. */
        public boolean answered() {
            return this == ANSWER || this == NXDOMAIN || this == NODATA;
        }

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public QueryResult {
        Objects.requireNonNull(kind, "kind");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(detail, "detail");
        if (kind == Kind.ANSWER && addresses.isEmpty()) {
            throw new IllegalArgumentException("an answer has addresses");
        }
    }

    public static QueryResult answer(List<InetAddress> addresses) {
        return new QueryResult(Kind.ANSWER, addresses, "");
    }

    public static QueryResult of(Kind kind, String detail) {
        return new QueryResult(kind, List.of(), detail);
    }

    /** "timed out after 2s", "SERVFAIL", "answered NXDOMAIN" ... for reasons and logs. */
    public String describe() {
        return switch (kind) {
            case ANSWER -> "answered " + addresses.size() + " address(es)";
            case NXDOMAIN -> "answered NXDOMAIN (the name does not exist)";
            case NODATA -> "answered NODATA (the name has no address of this family)";
            case TIMEOUT -> detail.isEmpty() ? "timed out" : detail;
            case SERVFAIL -> "answered SERVFAIL";
            case REFUSED -> "answered REFUSED";
            case ERROR -> detail;
        };
    }
}
