package org.dicomlb.dnsproxy.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Builds questions and reads responses. dnsjava is used as a codec only: the I/O is ours.
 */
public final class Answers {
    /** Addresses taken from one answer; the rest are ignored (a pool of 64 endpoints per name is plenty). */
    public static final int MAX_ADDRESSES = 64;
    /** CNAME links followed inside one answer. */
    static final int MAX_CNAME_HOPS = 8;
    /**
     * The EDNS UDP payload size we advertise (the DNS flag day 2020 value): larger answers come
     * truncated and are asked again over TCP, rather than as IP fragments.
     */
    public static final int EDNS_UDP_PAYLOAD = 1232;

    private Answers() {
    }

    /** A recursive query for {@code type} records of {@code name}, with EDNS, a random id. */
    public static Message query(Name name, int type) {
        Message q = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        q.addRecord(new OPTRecord(EDNS_UDP_PAYLOAD, 0, 0), Section.ADDITIONAL);
        return q;
    }

    /** What to do with bytes that arrived for {@code query}. */
    public sealed interface Reading {
        /** Not a response to our question (stale, spoofed or garbage on UDP): keep waiting. */
        record Ignore(String why) implements Reading {
        }

        /** UDP answer with TC set: ask again over TCP. */
        record Truncated() implements Reading {
        }

        record Done(QueryResult result) implements Reading {
        }
    }

    /** Reads a response to {@code query}; {@code overTcp} because a truncated TCP answer is used as it is. */
    public static Reading read(Message query, byte[] wire, boolean overTcp) {
        Message r;
        try {
            r = new Message(wire);
        } catch (IOException | RuntimeException e) {
            return new Reading.Ignore("malformed response (" + e.getMessage() + ")");
        }
        Record question = query.getQuestion();
        Record asked = r.getQuestion();
        if (r.getHeader().getID() != query.getHeader().getID() || !r.getHeader().getFlag(Flags.QR)) {
            return new Reading.Ignore("response id or flags do not match the query");
        }
        if (r.getHeader().getOpcode() != Opcode.QUERY) {
            return new Reading.Done(QueryResult.of(QueryResult.Kind.ERROR, "response has opcode "
                    + Opcode.string(r.getHeader().getOpcode())));
        }
        int rcode = r.getRcode();
        if (asked == null) {
            // Allowed for some error responses (FORMERR, REFUSED ...), never for an answer.
            if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
                return new Reading.Ignore("response without a question");
            }
        } else if (!asked.getName().equals(question.getName()) || asked.getType() != question.getType()
                || asked.getDClass() != question.getDClass()) {
            return new Reading.Ignore("response is for another question (" + asked.getName() + " "
                    + Type.string(asked.getType()) + ")");
        }
        if (!overTcp && r.getHeader().getFlag(Flags.TC)) {
            return new Reading.Truncated();
        }
        return new Reading.Done(switch (rcode) {
            case Rcode.NOERROR -> addresses(r, question.getName(), question.getType());
            case Rcode.NXDOMAIN -> QueryResult.of(QueryResult.Kind.NXDOMAIN, "");
            case Rcode.SERVFAIL -> QueryResult.of(QueryResult.Kind.SERVFAIL, "");
            case Rcode.REFUSED -> QueryResult.of(QueryResult.Kind.REFUSED, "");
            default -> QueryResult.of(QueryResult.Kind.ERROR, "answered " + Rcode.string(rcode));
        });
    }

    /** The address without the record's name attached (dnsjava sets it as the host name). */
    private static InetAddress bare(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("an address of " + a.getAddress().length + " bytes", e);
        }
    }

    /**
     * The address records of {@code name}, following a CNAME chain through the answer section
     * (as recursive resolvers send it) up to {@link #MAX_CNAME_HOPS} links. An empty answer is
     * NODATA, except a referral (NS records and no SOA in the authority section, not
     * authoritative), which means the server does not recurse: a resolver failure.
     */
    static QueryResult addresses(Message r, Name name, int type) {
        List<Record> answer = r.getSection(Section.ANSWER);
        Set<InetAddress> found = new LinkedHashSet<>();
        Name current = name;
        Set<Name> visited = new java.util.HashSet<>();
        for (int hop = 0; hop <= MAX_CNAME_HOPS && visited.add(current); hop++) {
            Name next = null;
            for (Record rec : answer) {
                if (!rec.getName().equals(current) || rec.getDClass() != DClass.IN) {
                    continue;
                }
                if (rec.getType() == type && found.size() < MAX_ADDRESSES) {
                    if (rec instanceof ARecord a) {
                        found.add(bare(a.getAddress()));
                    } else if (rec instanceof AAAARecord a) {
                        found.add(bare(a.getAddress()));
                    }
                } else if (rec instanceof CNAMERecord c && next == null) {
                    next = c.getTarget();
                }
            }
            if (!found.isEmpty() || next == null) {
                break;
            }
            current = next;
        }
        if (!found.isEmpty()) {
            return QueryResult.answer(new ArrayList<>(found));
        }
        if (answer.isEmpty() && !r.getHeader().getFlag(Flags.AA)) {
            List<Record> authority = r.getSection(Section.AUTHORITY);
            boolean ns = authority.stream().anyMatch(x -> x.getType() == Type.NS);
            boolean soa = authority.stream().anyMatch(x -> x.getType() == Type.SOA);
            if (ns && !soa) {
                return QueryResult.of(QueryResult.Kind.ERROR, "answered with a referral (the server does not resolve "
                        + "recursively and is not authoritative for the name)");
            }
        }
        return QueryResult.of(QueryResult.Kind.NODATA, "");
    }
}
