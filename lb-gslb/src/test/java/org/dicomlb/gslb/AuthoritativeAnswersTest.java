package org.dicomlb.gslb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.gslb.GslbFixture.addresses;

import io.micrometer.core.instrument.Counter;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Every authoritative behaviour, asserted on the wire with real UDP and TCP sockets. */
class AuthoritativeAnswersTest {
    private final Map<String, Boolean> pools = new ConcurrentHashMap<>(Map.of("a", true, "b", true, "gone", false));
    private GslbFixture f;
    private DnsClient dns;

    static String config() {
        String many = IntStream.rangeClosed(1, 40)
                .mapToObj(i -> "      - { name: m" + i + ", address: 127.0.3." + i + ", pool: a }")
                .collect(Collectors.joining("\n"));
        return """
                listen: 127.0.0.1:%PORT%
                zones:
                  - name: Dicom.Example.org.
                    ttl: 300
                    negative-ttl: 30s
                    nameservers:
                      - { name: ns1.dicom.example.org, address: 127.0.0.53 }
                      - { name: ns2.dicom.example.org, addresses: [127.0.0.54, "::1"] }
                      - ns.other.example.net
                names:
                  - name: dicom.example.org
                    method: failover
                    members:
                      - { name: site-a, address: 127.0.1.1, pool: a }
                      - { name: site-b, address: 127.0.2.1, pool: b }
                      - { name: site-a6, address: "fd00::a", pool: a }
                  - name: pacs.site.dicom.example.org
                    method: all
                    ttl: 20
                    members:
                %MEMBERS%
                  - name: down.dicom.example.org
                    fallback: refuse
                    members:
                      - { name: x, address: 127.0.4.1, pool: gone }
                limits:
                  rate-limit: { responses-per-second: 0 }
                """.replace("%MEMBERS%", many);
    }

    @BeforeEach
    void start() throws Exception {
        f = new GslbFixture(pool -> Optional.ofNullable(pools.get(pool)));
        f.apply(config(), Set.of("a", "b", "gone"));
        dns = f.client();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void apexSoaIsAuthoritativeWithTheZonesTimers() throws Exception {
        Message r = dns.udp("dicom.example.org", Type.SOA);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.RA)).as("never recursive").isFalse();
        assertThat(r.getHeader().getFlag(Flags.RD)).as("RD copied from the query").isTrue();
        SOARecord soa = (SOARecord) r.getSection(Section.ANSWER).getFirst();
        assertThat(soa.getTTL()).isEqualTo(300);
        assertThat(soa.getHost()).hasToString("ns1.dicom.example.org.");
        assertThat(soa.getAdmin()).hasToString("hostmaster.dicom.example.org.");
        assertThat(soa.getMinimum()).isEqualTo(30);
    }

    @Test
    void apexNsComesWithGlueForTheNameserversInsideTheZone() throws Exception {
        Message r = dns.udp("dicom.example.org", Type.NS);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getSection(Section.ANSWER)).map(x -> ((NSRecord) x).getTarget().toString())
                .containsExactly("ns1.dicom.example.org.", "ns2.dicom.example.org.", "ns.other.example.net.");
        assertThat(r.getSection(Section.ADDITIONAL)).filteredOn(x -> x.getType() != Type.OPT)
                .map(x -> x.getName() + " " + Type.string(x.getType()) + " " + x.rdataToString())
                .containsExactlyInAnyOrder("ns1.dicom.example.org. A 127.0.0.53", "ns2.dicom.example.org. A 127.0.0.54",
                        "ns2.dicom.example.org. AAAA 0:0:0:0:0:0:0:1");
        // The nameserver's own address is served too.
        Message ns1 = dns.udp("ns1.dicom.example.org", Type.A);
        assertThat(addresses(ns1)).containsExactly("127.0.0.53");
        assertThat(ns1.getHeader().getFlag(Flags.AA)).isTrue();
    }

    @Test
    void aAndAaaaAnswerTheHealthyMemberWithTheNamesTtl() throws Exception {
        Message a = dns.udp("dicom.example.org", Type.A);
        assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(addresses(a)).containsExactly("127.0.1.1");
        assertThat(a.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(5);
        assertThat(addresses(dns.udp("dicom.example.org", Type.AAAA))).containsExactly("fd00:0:0:0:0:0:0:a");
        assertThat(addresses(dns.tcp("pacs.site.dicom.example.org", Type.A))).as("method all").hasSize(40);
    }

    @Test
    void unknownNameIsNxdomainWithTheSoaForNegativeCaching() throws Exception {
        Message r = dns.udp("nosuch.dicom.example.org", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
        Record soa = r.getSection(Section.AUTHORITY).getFirst();
        assertThat(soa).isInstanceOf(SOARecord.class);
        assertThat(soa.getTTL()).as("min(SOA TTL, minimum), RFC 2308").isEqualTo(30);
        // Below a GSLB name there is nothing either: no wildcards.
        assertThat(dns.udp("x.dicom.example.org", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void knownNameWithAnotherTypeIsNodata() throws Exception {
        for (Message r : List.of(dns.udp("dicom.example.org", Type.MX), dns.udp("dicom.example.org", Type.TXT),
                dns.udp("site.dicom.example.org", Type.A), dns.udp("ns1.dicom.example.org", Type.MX))) {
            assertThat(r.getRcode()).as("NODATA is NOERROR").isEqualTo(Rcode.NOERROR);
            assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(r.getSection(Section.ANSWER)).isEmpty();
            assertThat(r.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
        }
    }

    @Test
    void namesOutsideOurZonesAreRefusedNeverResolved() throws Exception {
        for (Message r : List.of(dns.udp("example.org", Type.A), dns.udp("www.example.com", Type.A),
                dns.udp("otherdicom.example.org", Type.A))) {
            assertThat(r.getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(r.getHeader().getFlag(Flags.AA)).isFalse();
            assertThat(r.getHeader().getFlag(Flags.RA)).isFalse();
            assertThat(r.getSection(Section.ANSWER)).isEmpty();
        }
        Message chaos = Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
        assertThat(dns.udp(chaos, InetAddress.getLoopbackAddress()).getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(dns.udp("dicom.example.org", Type.AXFR).getRcode()).as("no zone transfers").isEqualTo(Rcode.REFUSED);
    }

    @Test
    void otherOpcodesAreNotImplemented() throws Exception {
        for (int opcode : List.of(Opcode.IQUERY, Opcode.STATUS, Opcode.NOTIFY, Opcode.UPDATE)) {
            Message r = dns.udp("dicom.example.org", Type.A, q -> q.getHeader().setOpcode(opcode));
            assertThat(r.getRcode()).as("opcode %d", opcode).isEqualTo(Rcode.NOTIMP);
            assertThat(r.getHeader().getOpcode()).isEqualTo(opcode);
        }
    }

    @Test
    void malformedQueriesGetFormerrWithTheirId() throws Exception {
        // A header and nothing else: no question.
        byte[] headerOnly = {0x12, 0x34, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
        Message r = new Message(dns.udpRaw(headerOnly, InetAddress.getLoopbackAddress()));
        assertThat(r.getHeader().getID()).isEqualTo(0x1234);
        assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
        // QDCOUNT says one question, but the bytes stop in the middle of its name.
        byte[] cut = {0x43, 0x21, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'd', 'i'};
        r = new Message(dns.udpRaw(cut, InetAddress.getLoopbackAddress()));
        assertThat(r.getHeader().getID()).isEqualTo(0x4321);
        assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
        // Two questions.
        Message two = DnsClient.query("dicom.example.org", Type.A);
        two.addRecord(Record.newRecord(Name.fromString("dicom.example.org."), Type.AAAA, DClass.IN), Section.QUESTION);
        assertThat(dns.udp(two, InetAddress.getLoopbackAddress()).getRcode()).isEqualTo(Rcode.FORMERR);
        // Two OPT records.
        Message twoOpt = DnsClient.query("dicom.example.org", Type.A);
        twoOpt.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        twoOpt.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        assertThat(dns.udp(twoOpt, InetAddress.getLoopbackAddress()).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void responsesAreNeverAnswered() throws Exception {
        byte[] response = DnsClient.query("dicom.example.org", Type.A).toWire();
        response[2] |= (byte) 0x80;
        assertThatThrownBy(() -> dns.udpRaw(response, InetAddress.getLoopbackAddress(), 500))
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(addresses(dns.udp("dicom.example.org", Type.A))).containsExactly("127.0.1.1");
    }

    @Test
    void ednsGetsOurOptWithOurPayloadSizeAndDoEchoed() throws Exception {
        // A plain query first: a stored answer must not leak into an EDNS query, nor EDNS into a plain one.
        assertThat(dns.udp("dicom.example.org", Type.A).getOPT()).isNull();
        Message noDo = dns.udp("dicom.example.org", Type.A, q -> q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL));
        assertThat(noDo.getOPT().getFlags() & ExtendedFlags.DO).isZero();
        Message noRd = dns.udp("dicom.example.org", Type.A, q -> q.getHeader().unsetFlag(Flags.RD));
        assertThat(noRd.getHeader().getFlag(Flags.RD)).isFalse();
        Message r = dns.udp("dicom.example.org", Type.A, q -> q.addRecord(new OPTRecord(4096, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL));
        OPTRecord opt = r.getOPT();
        assertThat(opt).isNotNull();
        assertThat(opt.getPayloadSize()).isEqualTo(1232);
        assertThat(opt.getVersion()).isZero();
        assertThat(opt.getFlags() & ExtendedFlags.DO).isEqualTo(ExtendedFlags.DO);
        assertThat(addresses(r)).containsExactly("127.0.1.1");
        assertThat(dns.udp("dicom.example.org", Type.A).getOPT()).as("no OPT without EDNS").isNull();
    }

    @Test
    void unknownEdnsVersionIsBadvers() throws Exception {
        Message r = dns.udp("dicom.example.org", Type.A, q -> q.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL));
        assertThat(r.getRcode()).isEqualTo(Rcode.BADVERS);
        assertThat(r.getOPT().getVersion()).isZero();
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aLargeAnswerIsTruncatedOverUdpAndCompleteOverTcp() throws Exception {
        Message udp = dns.udp("pacs.site.dicom.example.org", Type.A, q -> { });
        // 40 A records need more than 512 bytes: without EDNS the answer is cut with TC set.
        assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(udp.toWire().length).isLessThanOrEqualTo(512);
        Message tcp = dns.tcp("pacs.site.dicom.example.org", Type.A);
        assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(addresses(tcp)).hasSize(40);
        // With EDNS the client's larger buffer fits it all.
        Message edns = dns.udp("pacs.site.dicom.example.org", Type.A, q -> q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL));
        assertThat(edns.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(addresses(edns)).hasSize(40);
        assertThat(edns.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(20);
    }

    @Test
    void namesMatchWhateverTheirCaseAndTheQueryCaseIsEchoed() throws Exception {
        // The same name in lower case first, so the mixed-case query is served from the stored answer.
        dns.udp("dicom.example.org", Type.A);
        Message q = DnsClient.query("DiCoM.ExAmPlE.oRg", Type.A);
        byte[] raw = dns.udpRaw(q.toWire(), InetAddress.getLoopbackAddress());
        Message r = new Message(raw);
        assertThat(r.getQuestion().getName().toString()).isEqualTo("DiCoM.ExAmPlE.oRg.");
        assertThat(r.getSection(Section.ANSWER).getFirst().getName().toString()).isEqualTo("DiCoM.ExAmPlE.oRg.");
        assertThat(addresses(r)).containsExactly("127.0.1.1");
        // The question's bytes come back as sent.
        byte[] sent = q.toWire();
        assertThat(java.util.Arrays.copyOfRange(raw, 12, 12 + 19)).isEqualTo(java.util.Arrays.copyOfRange(sent, 12, 12 + 19));
    }

    /**
     * A repeated plain query is served from the stored response (AnswerCache): it must be the
     * response built for the first, with the second query's id and question bytes (its case), for
     * every kind of response, both transports and every EDNS variant.
     */
    @Test
    void aStoredResponseIsTheBuiltOneWithTheQuerysIdAndCase() throws Exception {
        List<Variant> variants = new ArrayList<>();
        for (String name : List.of("dicom.example.org", "pacs.site.dicom.example.org", "nothing.dicom.example.org",
                "site.dicom.example.org", "ns1.dicom.example.org", "down.dicom.example.org", "elsewhere.example.net")) {
            for (int type : List.of(Type.A, Type.AAAA, Type.SOA, Type.NS, Type.MX, Type.ANY)) {
                variants.add(new Variant(name, type, false, 0, false, true));
            }
        }
        for (int payload : List.of(512, 1232, 4096)) {
            variants.add(new Variant("pacs.site.dicom.example.org", Type.A, false, payload, false, true));
            variants.add(new Variant("dicom.example.org", Type.ANY, false, payload, true, false));
        }
        variants.add(new Variant("pacs.site.dicom.example.org", Type.A, true, 0, false, true));
        variants.add(new Variant("dicom.example.org", Type.NS, true, 1232, true, true));
        int id = 100;
        for (Variant v : variants) {
            byte[] first = v.wire(v.name(), id++);
            byte[] second = v.wire(mixedCase(v.name()), id++);
            byte[] built = v.tcp() ? dns.tcpRaw(first) : dns.udpRaw(first, InetAddress.getLoopbackAddress());
            byte[] stored = v.tcp() ? dns.tcpRaw(second) : dns.udpRaw(second, InetAddress.getLoopbackAddress());
            byte[] expected = built.clone();
            System.arraycopy(second, 0, expected, 0, 2);
            int nameLength = Name.fromString(v.name(), Name.root).length();
            System.arraycopy(second, 12, expected, 12, nameLength);
            assertThat(stored).as("%s", v).isEqualTo(expected);
        }
    }

    @Test
    void aLabelWithADotIsNotTheNameWithTwoLabels() throws Exception {
        // "www.dicom" as one label under example.org is outside our zone, though it reads the same as text.
        assertThat(dns.udp("www.dicom.example.org", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(dns.udp("www.dicom.example.org", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        Message r = dns.udp(DnsClient.query("www\\.dicom.example.org", Type.A), InetAddress.getLoopbackAddress());
        assertThat(r.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(r.getQuestion().getName().getLabelString(0)).isEqualTo("www\\.dicom");
    }

    /** A query's form: its transport, EDNS payload size (0: no OPT), DO and RD. */
    private record Variant(String name, int type, boolean tcp, int payload, boolean dnssecOk, boolean rd) {
        byte[] wire(String asked, int id) {
            Message m = DnsClient.query(asked, type);
            m.getHeader().setID(id);
            if (!rd) {
                m.getHeader().unsetFlag(Flags.RD);
            }
            if (payload > 0) {
                m.addRecord(new OPTRecord(payload, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
            }
            return m.toWire();
        }
    }

    /** Every other letter in upper case. */
    private static String mixedCase(String name) {
        StringBuilder b = new StringBuilder(name);
        for (int i = 0; i < b.length(); i += 2) {
            b.setCharAt(i, Character.toUpperCase(b.charAt(i)));
        }
        return b.toString();
    }

    @Test
    void anyAtTheApexListsWhatTheNameHas() throws Exception {
        Message r = dns.tcp("dicom.example.org", Type.ANY);
        assertThat(r.getSection(Section.ANSWER)).map(x -> Type.string(x.getType()))
                .contains("SOA", "NS", "A", "AAAA");
    }

    @Test
    void allMembersDownWithFallbackRefuseIsServfail() throws Exception {
        Message r = dns.udp("down.dicom.example.org", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aFailedPoolMovesTheAnswerAndFallbackAllAnswersWhenEverythingIsDown() throws Exception {
        pools.put("a", false);
        GslbFixture.waitFor(() -> answer().equals(List.of("127.0.2.1")), Duration.ofSeconds(10), this::answer);
        pools.put("b", false);
        // Fallback all (the default): the failover order over every member, as if healthy.
        GslbFixture.waitFor(() -> answer().equals(List.of("127.0.1.1")), Duration.ofSeconds(10), this::answer);
        assertThat(f.gslb.status().names().getFirst().answering().getFirst().why()).contains("fallback all");
        pools.put("a", true);
        GslbFixture.waitFor(() -> answer().equals(List.of("127.0.1.1"))
                && f.gslb.status().names().getFirst().members().getFirst().state().equals("eligible"),
                Duration.ofSeconds(10), () -> f.gslb.status());
    }

    @Test
    void queriesAndAnswersAreCounted() throws Exception {
        dns.udp("dicom.example.org", Type.A);
        dns.tcp("nosuch.dicom.example.org", Type.A);
        Counter q = f.registry.find("dicomlb.gslb.queries").tags("type", "A", "rcode", "noerror", "transport", "udp").counter();
        Counter nx = f.registry.find("dicomlb.gslb.queries").tags("type", "A", "rcode", "nxdomain", "transport", "tcp").counter();
        Counter answers = f.registry.find("dicomlb.gslb.answers").tags("name", "dicom.example.org", "member", "site-a").counter();
        assertThat(q).isNotNull();
        assertThat(q.count()).isEqualTo(1);
        assertThat(nx.count()).isEqualTo(1);
        assertThat(answers.count()).isEqualTo(1);
    }

    @Test
    void tcpCarriesSeveralQueriesPerConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", f.port)) {
            s.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            List<String> got = new ArrayList<>();
            for (String name : List.of("dicom.example.org", "ns1.dicom.example.org", "dicom.example.org")) {
                byte[] q = DnsClient.query(name, Type.A).toWire();
                out.writeShort(q.length);
                out.write(q);
                out.flush();
                got.addAll(addresses(new Message(in.readNBytes(in.readUnsignedShort()))));
            }
            assertThat(got).containsExactly("127.0.1.1", "127.0.0.53", "127.0.1.1");
        }
    }

    @Test
    void statusShowsWhatIsAnsweredAndWhy() {
        GslbStatus s = f.gslb.status();
        assertThat(s.listen()).isEqualTo("127.0.0.1:" + f.port);
        GslbStatus.NameStatus n = s.names().getFirst();
        assertThat(n.name()).isEqualTo("dicom.example.org");
        assertThat(n.answering()).extracting(GslbStatus.Answer::family, GslbStatus.Answer::members)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("A", List.of("site-a")),
                        org.assertj.core.groups.Tuple.tuple("AAAA", List.of("site-a6")));
        assertThat(n.answering().getFirst().why()).isEqualTo("first healthy in failover order");
        assertThat(n.members()).extracting(GslbStatus.MemberStatus::healthSource).containsOnly("pool a", "pool b");
    }

    private List<String> answer() {
        try {
            return addresses(dns.udp("dicom.example.org", Type.A));
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }
}
