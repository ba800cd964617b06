package org.dicomlb.gslb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomlb.gslb.GslbFixture.addresses;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Site affinity: clients of 127.0.1.0/24 (datacenter dc-a) and 127.0.2.0/24 (dc-b) each get
 * their own site's VIP, checked by real tcp health checks; EDNS Client Subnet overrides the
 * resolver's own address and the answer carries the scope it holds for.
 */
class TopologyTest {
    private GslbFixture f;
    private TcpSite siteA;
    private TcpSite siteB;
    private DnsClient dns;

    @BeforeEach
    void start() throws Exception {
        int port = Ports.free("127.0.1.1");
        siteA = new TcpSite("127.0.1.1", port);
        siteB = new TcpSite("127.0.2.1", port);
        f = new GslbFixture();
        String check = "{ type: tcp, port: " + port + ", interval: 300ms, fast-interval: 100ms, timeout: 200ms, rise: 1, fall: 2 }";
        f.apply("""
                listen: 127.0.0.1:%PORT%
                zones:
                  - { name: dicom.example.org, nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }] }
                names:
                  - name: dicom.example.org
                    method: topology
                    members:
                      - { name: site-a, address: 127.0.1.1, datacenter: dc-a, check: CHECK }
                      - { name: site-b, address: 127.0.2.1, datacenter: dc-b, check: CHECK }
                topology:
                  dc-a: [127.0.1.0/24]
                  dc-b: [127.0.2.0/24]
                  dc-c: [10.0.0.0/8, 10.20.0.0/16]
                limits: { rate-limit: { responses-per-second: 0 } }
                """.replace("CHECK", check));
        dns = f.client();
        GslbFixture.waitFor(() -> f.gslb.status().names().getFirst().members().stream().allMatch(m -> m.health().equals("up")),
                Duration.ofSeconds(10), () -> f.gslb.status());
    }

    @AfterEach
    void stop() {
        f.close();
        siteA.close();
        siteB.close();
    }

    private List<String> from(String source) throws Exception {
        return addresses(dns.udp(DnsClient.query("dicom.example.org", Type.A), InetAddress.ofLiteral(source)));
    }

    private Message withEcs(String source, String subnet, int prefix) throws Exception {
        Message q = DnsClient.query("dicom.example.org", Type.A);
        q.addRecord(new OPTRecord(1232, 0, 0, 0, new ClientSubnetOption(prefix, InetAddress.ofLiteral(subnet))), Section.ADDITIONAL);
        return dns.udp(q, InetAddress.ofLiteral(source));
    }

    private static ClientSubnetOption ecs(Message r) {
        List<EDNSOption> o = r.getOPT().getOptions(EDNSOption.Code.CLIENT_SUBNET);
        assertThat(o).hasSize(1);
        return (ClientSubnetOption) o.getFirst();
    }

    @Test
    void eachDatacentersClientsGetTheirOwnSite() throws Exception {
        assertThat(from("127.0.1.7")).containsExactly("127.0.1.1");
        assertThat(from("127.0.1.200")).containsExactly("127.0.1.1");
        assertThat(from("127.0.2.9")).containsExactly("127.0.2.1");
        assertThat(from("127.0.0.1")).as("a client in no datacenter: failover order").containsExactly("127.0.1.1");
        assertThat(f.gslb.status().names().getFirst().answering())
                .extracting(GslbStatus.Answer::clients, a -> a.members().getFirst())
                .contains(org.assertj.core.groups.Tuple.tuple("datacenter dc-a", "site-a"),
                        org.assertj.core.groups.Tuple.tuple("datacenter dc-b", "site-b"),
                        org.assertj.core.groups.Tuple.tuple("other", "site-a"));
    }

    @Test
    void clientSubnetDecidesWhenPresentAndTheAnswerCarriesItsScope() throws Exception {
        // A resolver in dc-a asks on behalf of a client in dc-b.
        Message r = withEcs("127.0.1.7", "127.0.2.0", 24);
        assertThat(addresses(r)).containsExactly("127.0.2.1");
        ClientSubnetOption o = ecs(r);
        assertThat(o.getSourcePrefixLength()).isEqualTo(24);
        assertThat(o.getScopePrefixLength()).as("the /24 that decided").isEqualTo(24);
        assertThat(o.getAddress().getHostAddress()).isEqualTo("127.0.2.0");
        // And the other way round.
        assertThat(addresses(withEcs("127.0.2.9", "127.0.1.0", 24))).containsExactly("127.0.1.1");
        // A client inside 10.0.0.0/8 but near 10.20.0.0/16: the answer holds only for a /12 around it.
        assertThat(ecs(withEcs("127.0.2.9", "10.1.0.0", 16)).getScopePrefixLength()).isEqualTo(12);
        // Source prefix 0: the resolver asks us not to use client information; its own address decides, scope 0.
        Message zero = withEcs("127.0.2.9", "0.0.0.0", 0);
        assertThat(addresses(zero)).containsExactly("127.0.2.1");
        assertThat(ecs(zero).getScopePrefixLength()).isZero();
    }

    @Test
    void ecsIsEchoedWithScopeZeroWhereTheAnswerDoesNotDependOnTheClient() throws Exception {
        Message q = DnsClient.query("dicom.example.org", Type.SOA);
        q.addRecord(new OPTRecord(1232, 0, 0, 0, new ClientSubnetOption(24, InetAddress.ofLiteral("127.0.2.0"))), Section.ADDITIONAL);
        Message r = dns.udp(q, InetAddress.getLoopbackAddress());
        assertThat(ecs(r).getScopePrefixLength()).isZero();
        assertThat(ecs(r).getSourcePrefixLength()).isEqualTo(24);
    }

    @Test
    void aDeadSiteSendsItsClientsToTheOtherSiteAndBackWhenItReturns() throws Exception {
        siteA.stop();
        GslbFixture.waitFor(() -> attempt("127.0.1.7").equals(List.of("127.0.2.1")), Duration.ofSeconds(15),
                () -> f.gslb.status());
        assertThat(from("127.0.2.9")).containsExactly("127.0.2.1");
        GslbStatus.MemberStatus a = f.gslb.status().names().getFirst().members().getFirst();
        assertThat(a.state()).isEqualTo("down");
        assertThat(a.reason()).isNotEmpty();
        assertThat(f.gslb.status().names().getFirst().answering().getFirst().why())
                .isEqualTo("nothing healthy in client's datacenter dc-a, first in failover order");
        siteA.start();
        // failback: auto (the default) returns dc-a's clients as soon as site-a is healthy.
        GslbFixture.waitFor(() -> attempt("127.0.1.7").equals(List.of("127.0.1.1")), Duration.ofSeconds(15),
                () -> f.gslb.status());
    }

    private List<String> attempt(String source) {
        try {
            return from(source);
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }
}
