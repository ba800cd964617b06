package org.dicomlb.dnsproxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Reading responses: the cases a real resolver produces rarely but must not be misread. */
class AnswersTest {
    private static final Name NAME = name("dicom.example.org.");
    private final Message query = Answers.query(NAME, Type.A);

    private Message response() {
        Message r = new Message(query.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.addRecord(query.getQuestion(), Section.QUESTION);
        return r;
    }

    private static Name name(String s) {
        try {
            return Name.fromString(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ARecord a(Name n, String ip) {
        return new ARecord(n, DClass.IN, 5, InetAddress.ofLiteral(ip));
    }

    private QueryResult done(Message r, boolean overTcp) {
        Answers.Reading reading = Answers.read(query, r.toWire(), overTcp);
        assertThat(reading).isInstanceOf(Answers.Reading.Done.class);
        return ((Answers.Reading.Done) reading).result();
    }

    @Test
    void theQueryAsksForRecursionWithEdns() {
        assertThat(query.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(query.getOPT().getPayloadSize()).isEqualTo(Answers.EDNS_UDP_PAYLOAD);
        assertThat(query.getQuestion().getName()).isEqualTo(NAME);
    }

    @Test
    void addressesAreTakenInOrderWithoutTheirNameAndBounded() {
        Message r = response();
        for (int i = 100; i >= 1; i--) {
            r.addRecord(a(NAME, "127.0.5." + i), Section.ANSWER);
        }
        QueryResult q = done(r, false);
        assertThat(q.kind()).isEqualTo(QueryResult.Kind.ANSWER);
        assertThat(q.addresses()).hasSize(Answers.MAX_ADDRESSES);
        assertThat(q.addresses().getFirst()).isEqualTo(InetAddress.ofLiteral("127.0.5.100"));
        assertThat(q.addresses().getFirst().toString()).isEqualTo("/127.0.5.100");
    }

    @Test
    void recordsOfOtherNamesAreNotTaken() {
        Message r = response();
        r.addRecord(a(name("evil.example.net."), "127.0.6.6"), Section.ANSWER);
        assertThat(done(r, false).kind()).isEqualTo(QueryResult.Kind.NODATA);
    }

    @Test
    void aCnameLoopIsNodataNotAHang() {
        Message r = response();
        Name other = name("loop.example.org.");
        r.addRecord(new CNAMERecord(NAME, DClass.IN, 5, other), Section.ANSWER);
        r.addRecord(new CNAMERecord(other, DClass.IN, 5, NAME), Section.ANSWER);
        assertThat(done(r, false).kind()).isEqualTo(QueryResult.Kind.NODATA);
    }

    @Test
    void aReferralFromAServerThatDoesNotRecurseIsAFailure() {
        Message r = response();
        r.addRecord(new NSRecord(name("example.org."), DClass.IN, 5, name("ns1.example.org.")), Section.AUTHORITY);
        QueryResult q = done(r, false);
        assertThat(q.kind()).isEqualTo(QueryResult.Kind.ERROR);
        assertThat(q.describe()).contains("referral");
    }

    @Test
    void aResponseToAnotherQuestionOrIdIsIgnoredOnUdpAndAFailureOnTcp() {
        Message other = new Message(query.getHeader().getID());
        other.getHeader().setFlag(Flags.QR);
        other.addRecord(Record.newRecord(name("other.example.org."), Type.A, DClass.IN), Section.QUESTION);
        assertThat(Answers.read(query, other.toWire(), false)).isInstanceOf(Answers.Reading.Ignore.class);
        assertThat(Answers.read(query, new byte[] {1, 2, 3}, false)).isInstanceOf(Answers.Reading.Ignore.class);
        Message wrongId = response();
        wrongId.getHeader().setID((query.getHeader().getID() + 1) & 0xffff);
        assertThat(Answers.read(query, wrongId.toWire(), false)).isInstanceOf(Answers.Reading.Ignore.class);
        Message notAResponse = response();
        notAResponse.getHeader().unsetFlag(Flags.QR);
        assertThat(Answers.read(query, notAResponse.toWire(), false)).isInstanceOf(Answers.Reading.Ignore.class);
    }

    @Test
    void truncationSendsUdpToTcpButATruncatedTcpAnswerIsUsedAsItIs() {
        Message r = response();
        r.getHeader().setFlag(Flags.TC);
        r.addRecord(a(NAME, "127.0.1.1"), Section.ANSWER);
        assertThat(Answers.read(query, r.toWire(), false)).isInstanceOf(Answers.Reading.Truncated.class);
        assertThat(done(r, true).addresses()).containsExactly(InetAddress.ofLiteral("127.0.1.1"));
    }

    @Test
    void rcodesMapToTheirCases() {
        for (int[] c : new int[][] {{Rcode.NXDOMAIN, 0}, {Rcode.SERVFAIL, 1}, {Rcode.REFUSED, 2}, {Rcode.FORMERR, 3},
                {Rcode.NOTIMP, 3}}) {
            Message r = response();
            r.getHeader().setRcode(c[0]);
            QueryResult.Kind expected = new QueryResult.Kind[] {QueryResult.Kind.NXDOMAIN, QueryResult.Kind.SERVFAIL,
                    QueryResult.Kind.REFUSED, QueryResult.Kind.ERROR}[c[1]];
            assertThat(done(r, false).kind()).as(Rcode.string(c[0])).isEqualTo(expected);
        }
    }
}
