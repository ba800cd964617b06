package org.dicomlb.gslb.dns;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.dicomlb.gslb.config.Method;
import org.dicomlb.gslb.dns.DnsMetrics.Result;
import org.dicomlb.gslb.select.Candidate;
import org.dicomlb.gslb.select.Choice;
import org.dicomlb.gslb.select.Selector;
import org.dicomlb.gslb.select.SubnetMap;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one query's bytes into the response's bytes, authoritatively and never recursively.
 * Stateless apart from the published {@link ZoneView} it reads once per query, so any event loop
 * may call it. dnsjava's {@link Message} is the codec in both directions; a query it cannot parse
 * gets FORMERR built from the raw header.
 *
 * <p>Responses: REFUSED outside our zones (and for classes other than IN and zone transfers);
 * NOTIMP for opcodes other than QUERY; FORMERR for malformed queries; BADVERS for EDNS versions
 * above 0; in a zone, AA is set and a missing name is NXDOMAIN, a missing type NODATA, both with
 * the zone's SOA in the authority section. A UDP response that does not fit the client's size
 * (512 bytes, or its EDNS payload size up to our limit) is cut whole RRsets at a time with TC set;
 * over TCP it is complete.
 */
public final class Responder {
    /** The largest message DNS over TCP can carry. */
    public static final int TCP_MAX = 65535;
    private static final int CLASSIC_UDP = 512;

    private final Supplier<ZoneView> view;
    private final DnsMetrics metrics;

    public Responder(Supplier<ZoneView> view, DnsMetrics metrics) {
        this.view = view;
        this.metrics = metrics;
    }

    /**
     * Writes the response to {@code query} (its readable bytes, left unread) from {@code source}
     * into {@code out}. False when nothing must be sent: too short to carry a header, or itself a
     * response (answering those would let two servers loop).
     */
    public boolean respond(ByteBuf query, InetAddress source, boolean tcp, ByteBuf out) {
        if (query.readableBytes() < Header.LENGTH || (query.getByte(query.readerIndex() + 2) & 0x80) != 0) {
            metrics.query(-1, Result.DROPPED, tcp);
            return false;
        }
        ZoneView v = view.get();
        String dc = v.subnets().isEmpty() ? null : v.subnets().datacenter(source).orElse("");
        AnswerCache.Plain plain = AnswerCache.read(query, tcp, v.limits().udpPayload(), dc);
        AnswerCache.Entry hit = plain == null ? null : v.cache().get(plain);
        if (hit != null) {
            metrics.query(hit.qtype(), hit.result(), tcp);
            for (Counter c : hit.answered()) {
                c.increment();
            }
            AnswerCache.render(hit, plain, out);
            return true;
        }
        byte[] bytes = ByteBufUtil.getBytes(query);
        Message q;
        try {
            q = new Message(bytes);
        } catch (IOException | RuntimeException e) {
            metrics.query(-1, Result.FORMERR, tcp);
            out.writeBytes(formErr(bytes));
            return true;
        }
        Reply r = answer(q, source, tcp, v);
        metrics.query(r.qtype, r.result, tcp);
        for (Counter c : r.answered) {
            c.increment();
        }
        if (plain != null && r.cacheable) {
            // Still this thread's reading of this query: answering it read no other.
            v.cache().put(plain, r.wire, r.result, r.answered);
        }
        out.writeBytes(r.wire);
        return true;
    }

    /** A finished response and what it counts. */
    private static final class Reply {
        byte[] wire;
        int qtype;
        Result result;
        final List<Counter> answered = new ArrayList<>(2);
        /** False when the same query may get another answer next time (weighted). */
        boolean cacheable = true;
    }

    /**
     * For response-rate limiting: an empty answer with TC set, so that a real resolver retries
     * over TCP; null when the query cannot be read.
     */
    public byte[] truncated(byte[] query) {
        if (query.length < Header.LENGTH || (query[2] & 0x80) != 0) {
            return null;
        }
        try {
            Message q = new Message(query);
            Message r = reply(q);
            r.getHeader().setFlag(Flags.TC);
            Record question = q.getQuestion();
            if (question != null) {
                r.addRecord(question, Section.QUESTION);
            }
            return r.toWire(CLASSIC_UDP);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Reply answer(Message q, InetAddress source, boolean tcp, ZoneView v) {
        Reply out = new Reply();
        Header qh = q.getHeader();
        Message r = reply(q);
        List<Record> questions = q.getSection(Section.QUESTION);
        Record question = questions.size() == 1 ? questions.getFirst() : null;
        int qtype = question == null ? -1 : question.getType();
        if (question != null) {
            r.addRecord(question, Section.QUESTION);
        }
        if (qh.getOpcode() != Opcode.QUERY) {
            return finish(out, r, Rcode.NOTIMP, qtype, tcp, null, null);
        }
        if (question == null) {
            return finish(out, r, Rcode.FORMERR, qtype, tcp, null, null);
        }
        OPTRecord opt = null;
        for (Record rec : q.getSection(Section.ADDITIONAL)) {
            if (rec instanceof OPTRecord o) {
                if (opt != null || !o.getName().equals(Name.root)) {
                    // RFC 6891 6.1.1: more than one OPT, or one not owned by the root, is a format error.
                    return finish(out, r, Rcode.FORMERR, qtype, tcp, null, null);
                }
                opt = o;
            }
        }
        if (opt != null && opt.getVersion() > 0) {
            return finish(out, r, Rcode.BADVERS, qtype, tcp, opt, null);
        }
        ClientSubnetOption ecs = null;
        if (opt != null) {
            for (EDNSOption o : opt.getOptions(EDNSOption.Code.CLIENT_SUBNET)) {
                if (ecs != null) {
                    return finish(out, r, Rcode.FORMERR, qtype, tcp, opt, null);
                }
                ecs = (ClientSubnetOption) o;
            }
        }
        if (qtype == Type.OPT || qtype == Type.TSIG || qtype == Type.TKEY) {
            return finish(out, r, Rcode.FORMERR, qtype, tcp, opt, null);
        }
        if (question.getDClass() != DClass.IN || qtype == Type.AXFR || qtype == Type.IXFR) {
            return finish(out, r, Rcode.REFUSED, qtype, tcp, opt, scopeZero(ecs));
        }
        Name qname = question.getName();
        ZoneView.Zone zone = v.zoneOf(qname);
        if (zone == null) {
            return finish(out, r, Rcode.REFUSED, qtype, tcp, opt, scopeZero(ecs));
        }
        r.getHeader().setFlag(Flags.AA);
        ZoneView.GslbName name = v.name(qname);
        boolean apex = qname.equals(zone.apex());
        ClientSubnetOption ecsOut = scopeZero(ecs);
        boolean any = qtype == Type.ANY;
        boolean data = false;
        if (apex && (qtype == Type.SOA || any)) {
            r.addRecord(zone.soa(), Section.ANSWER);
            data = true;
        }
        if (apex && (qtype == Type.NS || any)) {
            zone.ns().forEach(ns -> r.addRecord(ns, Section.ANSWER));
            zone.glue().forEach(g -> r.addRecord(g, Section.ADDITIONAL));
            data = true;
        }
        if (name != null && (qtype == Type.A || qtype == Type.AAAA || any)) {
            InetAddress client = ecs != null && ecs.getSourcePrefixLength() > 0 ? ecs.getAddress() : source;
            SubnetMap.Match where = name.config().method() == Method.TOPOLOGY ? v.subnets().match(client) : null;
            Optional<String> dc = where == null ? Optional.empty() : where.datacenter();
            if (ecs != null && where != null && ecs.getSourcePrefixLength() > 0) {
                ecsOut = new ClientSubnetOption(ecs.getSourcePrefixLength(), where.scope(), ecs.getAddress());
            }
            for (List<Candidate> family : any ? List.of(name.ipv4(), name.ipv6())
                    : List.of(qtype == Type.A ? name.ipv4() : name.ipv6())) {
                if (family.isEmpty()) {
                    continue;
                }
                if (name.config().method() == Method.WEIGHTED) {
                    out.cacheable = false;
                }
                Choice c = Selector.choose(name.config().method(), name.config().fallback(), family, dc,
                        ThreadLocalRandom.current());
                if (c.refused()) {
                    r.getHeader().unsetFlag(Flags.AA);
                    return finish(out, r, Rcode.SERVFAIL, qtype, tcp, opt, ecsOut);
                }
                for (Candidate m : c.members()) {
                    r.addRecord(name.records().get(m.member()), Section.ANSWER);
                    out.answered.add(name.answers().get(m.member()));
                }
                data = true;
            }
        } else if (name == null && (qtype == Type.A || qtype == Type.AAAA || any)) {
            List<Record> host = v.host(qname);
            if (host != null) {
                for (Record h : host) {
                    if (any || h.getType() == qtype) {
                        r.addRecord(h, Section.ANSWER);
                        data = true;
                    }
                }
            }
        }
        if (data) {
            return finish(out, r, Rcode.NOERROR, qtype, tcp, opt, ecsOut);
        }
        r.addRecord(zone.negativeSoa(), Section.AUTHORITY);
        boolean exists = apex || name != null || v.host(qname) != null || v.exists(qname);
        return finish(out, r, exists ? Rcode.NOERROR : Rcode.NXDOMAIN, qtype, tcp, opt, ecsOut);
    }

    /** A response skeleton: the query's id, opcode and RD; QR set; never RA (we do not recurse). */
    private static Message reply(Message q) {
        Header qh = q.getHeader();
        Message r = new Message(qh.getID());
        Header h = r.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(qh.getOpcode());
        if (qh.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        return r;
    }

    /**
     * Sets the rcode (its upper bits go into the OPT record), adds our OPT when the query had
     * one, and renders within the client's size.
     */
    private Reply finish(Reply out, Message r, int rcode, int qtype, boolean tcp, OPTRecord queryOpt, ClientSubnetOption ecs) {
        r.getHeader().setRcode(rcode & 0xF);
        int udpPayload = view.get().limits().udpPayload();
        int max = tcp ? TCP_MAX : CLASSIC_UDP;
        if (queryOpt != null) {
            int flags = (queryOpt.getFlags() & ExtendedFlags.DO) != 0 ? ExtendedFlags.DO : 0;
            OPTRecord opt = ecs == null ? new OPTRecord(udpPayload, rcode >> 4, 0, flags)
                    : new OPTRecord(udpPayload, rcode >> 4, 0, flags, ecs);
            r.addRecord(opt, Section.ADDITIONAL);
            if (!tcp) {
                max = Math.max(CLASSIC_UDP, Math.min(queryOpt.getPayloadSize(), udpPayload));
            }
        }
        out.qtype = qtype;
        out.result = result(rcode);
        out.wire = r.toWire(max);
        return out;
    }

    /** ECS echoed for an answer that does not depend on the client (RFC 7871 7.2.1: scope 0). */
    private static ClientSubnetOption scopeZero(ClientSubnetOption ecs) {
        return ecs == null ? null : new ClientSubnetOption(ecs.getSourcePrefixLength(), 0, ecs.getAddress());
    }

    /** FORMERR for bytes dnsjava could not parse: the query's id, opcode and RD, no sections. */
    private static byte[] formErr(byte[] query) {
        byte[] r = new byte[Header.LENGTH];
        r[0] = query[0];
        r[1] = query[1];
        r[2] = (byte) (0x80 | (query[2] & 0x79));
        r[3] = (byte) Rcode.FORMERR;
        return r;
    }

    private static Result result(int rcode) {
        return switch (rcode) {
            case Rcode.NOERROR -> Result.NOERROR;
            case Rcode.NXDOMAIN -> Result.NXDOMAIN;
            case Rcode.SERVFAIL -> Result.SERVFAIL;
            case Rcode.REFUSED -> Result.REFUSED;
            case Rcode.NOTIMP -> Result.NOTIMP;
            case Rcode.BADVERS -> Result.BADVERS;
            default -> Result.FORMERR;
        };
    }
}
