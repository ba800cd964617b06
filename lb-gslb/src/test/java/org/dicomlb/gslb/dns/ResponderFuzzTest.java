package org.dicomlb.gslb.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomlb.config.Cidr;
import org.dicomlb.gslb.config.Failback;
import org.dicomlb.gslb.config.Fallback;
import org.dicomlb.gslb.config.Limits;
import org.dicomlb.gslb.config.MemberConfig;
import org.dicomlb.gslb.config.MemberHealth;
import org.dicomlb.gslb.config.Method;
import org.dicomlb.gslb.config.NameConfig;
import org.dicomlb.gslb.select.Candidate;
import org.dicomlb.gslb.select.SubnetMap;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;

/**
 * Coverage-guided fuzzing of the GSLB's {@link Responder}, the parser every host that can reach
 * port 53 feeds. For any bytes, over UDP and TCP, from a client in each datacenter and in none:
 * no exception; nothing is sent only for a datagram too short for a header or that is itself a
 * response; anything sent parses as DNS, carries the query's id with QR set, and fits the
 * transport (our UDP payload size, or a TCP message); and a response served from the stored
 * answers ({@link AnswerCache}, read by hand from the raw bytes) is byte for byte the one the
 * dnsjava path builds for the same query, also for the query with its name's case changed.
 *
 * <p>The zone: SOA and NS with glue at the apex; the apex answered by topology (IPv4 in two
 * datacenters, IPv6 in one), a name answered with 40 members (so UDP answers get cut), a name
 * whose only member is down with {@code fallback: refuse}. Weighted names change per query and
 * are never stored, so none is here. Seeds in
 * {@code src/test/resources/org/dicomlb/gslb/dns/ResponderFuzzTestInputs/respond/}. See
 * docs/development.md#fuzzing.
 */
class ResponderFuzzTest {
    /** A TCP message is at most this; UDP queries are cut far below it by the socket. */
    private static final int MAX_INPUT = 65535;
    private static final int UDP_PAYLOAD = Limits.DEFAULT_UDP_PAYLOAD;
    private static final List<InetAddress> SOURCES = List.of(address("127.0.1.9"), address("127.0.2.9"),
            address("127.0.3.9"));
    private static final ZoneView BASE = view();

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void respond(byte[] data) {
        if (data.length > MAX_INPUT) {
            return;
        }
        for (boolean tcp : new boolean[]{false, true}) {
            for (InetAddress source : SOURCES) {
                AtomicReference<ZoneView> view = new AtomicReference<>(fresh());
                Responder responder = new Responder(view::get, new DnsMetrics(new SimpleMeterRegistry()));
                byte[] built = respond(responder, data, source, tcp);
                byte[] again = respond(responder, data, source, tcp);
                assertThat(again).as("the same query again (stored if plain)").isEqualTo(built);
                if (built == null || AnswerCache.read(Unpooled.wrappedBuffer(data), tcp, UDP_PAYLOAD, null) == null) {
                    continue;
                }
                // The same query with its name in other case: the stored response, given the new case,
                // must be what the dnsjava path builds for it from a view with nothing stored.
                byte[] flipped = flipCase(data);
                byte[] stored = respond(responder, flipped, source, tcp);
                view.set(fresh());
                assertThat(stored).as("stored response for the name in other case")
                        .isEqualTo(respond(responder, flipped, source, tcp));
            }
        }
    }

    private static byte[] respond(Responder responder, byte[] query, InetAddress source, boolean tcp) {
        ByteBuf in = Unpooled.wrappedBuffer(query);
        ByteBuf out = Unpooled.buffer();
        if (!responder.respond(in, source, tcp, out)) {
            assertThat(query.length < 12 || (query[2] & 0x80) != 0).as("only a non-query gets nothing").isTrue();
            return null;
        }
        assertThat(in.readerIndex()).as("the query is left unread").isZero();
        byte[] response = new byte[out.readableBytes()];
        out.readBytes(response);
        assertThat(response.length).isLessThanOrEqualTo(tcp ? Responder.TCP_MAX : UDP_PAYLOAD);
        assertThat(response[0]).isEqualTo(query[0]);
        assertThat(response[1]).isEqualTo(query[1]);
        assertThat(response[2] & 0x80).as("QR").isNotZero();
        try {
            new Message(response);
        } catch (Exception e) {
            throw new AssertionError("the response does not parse: " + e, e);
        }
        return response;
    }

    /** The question name's letters in the other case (the name starts after the 12-byte header). */
    private static byte[] flipCase(byte[] query) {
        byte[] q = query.clone();
        int p = 12;
        while (p < q.length && q[p] != 0) {
            int len = q[p] & 0xff;
            for (int i = p + 1; i <= p + len && i < q.length; i++) {
                byte b = q[i];
                if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
                    q[i] = (byte) (b ^ 0x20);
                }
            }
            p += 1 + len;
        }
        return q;
    }

    /** The base view with the same members and nothing stored. */
    private static ZoneView fresh() {
        return BASE.withMembers(BASE.namesCopy());
    }

    private static ZoneView view() {
        try {
            Name apex = Name.fromString("dicom.example.org.");
            Name ns1 = Name.fromString("ns1.dicom.example.org.");
            Name admin = Name.fromString("hostmaster.dicom.example.org.");
            SOARecord soa = new SOARecord(apex, DClass.IN, 300, ns1, admin, 1, 3600, 600, 86400, 30);
            SOARecord negative = new SOARecord(apex, DClass.IN, 30, ns1, admin, 1, 3600, 600, 86400, 30);
            ARecord glue = new ARecord(ns1, DClass.IN, 300, address("127.0.0.53"));
            ZoneView.Zone zone = new ZoneView.Zone(apex, soa, negative, List.of(new NSRecord(apex, DClass.IN, 300, ns1)),
                    List.of(glue));
            List<MemberConfig> topology = List.of(member("site-a", "127.0.1.1", "dc-a"), member("site-b", "127.0.2.1", "dc-b"),
                    member("site-a6", "fd00::a", "dc-a"));
            List<MemberConfig> many = new ArrayList<>();
            for (int i = 1; i <= 40; i++) {
                many.add(member("m" + i, "127.0.3." + i, null));
            }
            Map<Name, ZoneView.GslbName> names = new HashMap<>();
            put(names, name("dicom.example.org", Method.TOPOLOGY, Fallback.ALL, topology), Candidate.State.ELIGIBLE);
            put(names, name("pacs.site.dicom.example.org", Method.ALL, Fallback.ALL, many), Candidate.State.ELIGIBLE);
            put(names, name("down.dicom.example.org", Method.FAILOVER, Fallback.REFUSE,
                    List.of(member("x", "127.0.4.1", null))), Candidate.State.DOWN);
            SubnetMap subnets = new SubnetMap(Map.of("dc-a", List.of(Cidr.parse("127.0.1.0/24")),
                    "dc-b", List.of(Cidr.parse("127.0.2.0/24"))));
            return new ZoneView(List.of(zone), names, Map.of(ns1, List.of(glue)), subnets, Limits.DEFAULT);
        } catch (TextParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NameConfig name(String name, Method method, Fallback fallback, List<MemberConfig> members) {
        return new NameConfig(name, method, Duration.ofSeconds(5), Failback.AUTO, fallback, members);
    }

    private static MemberConfig member(String name, String address, String datacenter) {
        return new MemberConfig(name, address(address), Optional.ofNullable(datacenter), MemberConfig.DEFAULT_WEIGHT,
                new MemberHealth.Pool("archive"));
    }

    private static void put(Map<Name, ZoneView.GslbName> names, NameConfig n, Candidate.State state) throws TextParseException {
        Name owner = Name.fromString(n.name() + ".");
        Map<String, Record> records = new HashMap<>();
        Map<String, Counter> answers = new HashMap<>();
        List<Candidate> v4 = new ArrayList<>();
        List<Candidate> v6 = new ArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        for (MemberConfig m : n.members()) {
            records.put(m.name(), m.ipv4() ? new ARecord(owner, DClass.IN, 5, m.address())
                    : new AAAARecord(owner, DClass.IN, 5, m.address()));
            answers.put(m.name(), registry.counter("answers", "member", m.name()));
            (m.ipv4() ? v4 : v6).add(new Candidate(m.name(), m.address(), m.datacenter(), m.weight(), state));
        }
        names.put(owner, new ZoneView.GslbName(owner, n, records, answers, v4, v6));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
