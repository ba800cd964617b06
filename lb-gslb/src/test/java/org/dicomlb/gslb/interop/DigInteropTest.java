package org.dicomlb.gslb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.dicomlb.gslb.GslbFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * BIND's dig (Debian bind9-dnsutils), an independent DNS implementation, reads every kind of
 * response the GSLB gives. All traffic is on 127.0.0.1.
 */
class DigInteropTest {
    private static final Map<String, Boolean> POOLS = new ConcurrentHashMap<>(Map.of("a", true, "gone", false));
    private static GslbFixture f;
    private static Path dig;

    @BeforeAll
    static void start() throws Exception {
        dig = DebianTools.find("dig", "bind9-dnsutils");
        f = new GslbFixture(pool -> Optional.ofNullable(POOLS.get(pool)));
        String many = IntStream.rangeClosed(1, 40)
                .mapToObj(i -> "      - { name: m" + i + ", address: 127.0.3." + i + ", pool: a }")
                .collect(Collectors.joining("\n"));
        f.apply("""
                listen: 127.0.0.1:%PORT%
                zones:
                  - name: dicom.example.org
                    nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.53 }]
                names:
                  - name: dicom.example.org
                    method: topology
                    members:
                      - { name: site-a, address: 127.0.1.1, datacenter: dc-a, pool: a }
                      - { name: site-b, address: 127.0.2.1, datacenter: dc-b, pool: a }
                      - { name: site-a6, address: "fd00::a", datacenter: dc-a, pool: a }
                  - name: many.dicom.example.org
                    method: all
                    members:
                MANY
                  - name: down.dicom.example.org
                    fallback: refuse
                    members: [{ name: x, address: 127.0.4.1, pool: gone }]
                topology:
                  dc-a: [127.0.1.0/24]
                  dc-b: [127.0.2.0/24]
                limits: { rate-limit: { responses-per-second: 0 } }
                """.replace("MANY", many), Set.of("a", "gone"));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static String dig(String... args) {
        List<String> cmd = new ArrayList<>(List.of(dig.toString(), "@127.0.0.1", "-p", Integer.toString(f.port),
                "+norecurse", "+time=5", "+tries=1"));
        cmd.addAll(Arrays.asList(args));
        DebianTools.Result r = DebianTools.run(Duration.ofSeconds(30), cmd.toArray(String[]::new));
        return r.output();
    }

    @Test
    void soaAndNsWithGlueAtTheApex() {
        String soa = dig("dicom.example.org", "SOA");
        assertThat(soa).contains("status: NOERROR").containsPattern("flags: qr aa( rd)?;")
                .containsPattern("dicom\\.example\\.org\\.\\s+300\\s+IN\\s+SOA\\s+ns1\\.dicom\\.example\\.org\\. hostmaster\\.dicom\\.example\\.org\\.");
        String ns = dig("dicom.example.org", "NS");
        assertThat(ns).contains("status: NOERROR").containsPattern("IN\\s+NS\\s+ns1\\.dicom\\.example\\.org\\.")
                .contains(";; ADDITIONAL SECTION:").containsPattern("ns1\\.dicom\\.example\\.org\\.\\s+300\\s+IN\\s+A\\s+127\\.0\\.0\\.53");
    }

    @Test
    void aAndAaaaWithTheNamesTtl() {
        assertThat(dig("dicom.example.org", "A")).containsPattern("flags: qr aa").containsPattern("dicom\\.example\\.org\\.\\s+5\\s+IN\\s+A\\s+127\\.0\\.1\\.1");
        assertThat(dig("dicom.example.org", "AAAA")).containsPattern("IN\\s+AAAA\\s+fd00::a");
    }

    @Test
    void nxdomainAndNodataCarryTheSoa() {
        assertThat(dig("nosuch.dicom.example.org", "A")).contains("status: NXDOMAIN").containsPattern("flags: qr aa")
                .contains(";; AUTHORITY SECTION:").containsPattern("IN\\s+SOA");
        assertThat(dig("dicom.example.org", "MX")).contains("status: NOERROR").contains("ANSWER: 0, AUTHORITY: 1")
                .containsPattern("IN\\s+SOA");
    }

    @Test
    void refusedNotimpFormerrServfail() {
        assertThat(dig("www.example.com", "A")).contains("status: REFUSED");
        assertThat(dig("+opcode=status", "dicom.example.org")).contains("status: NOTIMP");
        assertThat(dig("+header-only", "dicom.example.org")).contains("status: FORMERR");
        assertThat(dig("down.dicom.example.org", "A")).contains("status: SERVFAIL");
    }

    @Test
    void ednsAndBadvers() {
        assertThat(dig("+edns=0", "+bufsize=4096", "dicom.example.org", "A"))
                .contains("; EDNS: version: 0, flags:; udp: 1232");
        assertThat(dig("+edns=1", "+noednsnegotiation", "dicom.example.org", "A")).contains("status: BADVERS");
    }

    @Test
    void truncatedOverUdpThenCompleteOverTcp() {
        assertThat(dig("+noedns", "+ignore", "many.dicom.example.org", "A")).containsPattern("flags: qr aa tc");
        String retried = dig("+noedns", "many.dicom.example.org", "A");
        assertThat(retried).contains("Truncated, retrying in TCP mode").contains("ANSWER: 40,");
        assertThat(dig("+tcp", "many.dicom.example.org", "A")).contains("ANSWER: 40,");
    }

    @Test
    void theQueryCaseIsEchoed() {
        assertThat(dig("DiCoM.ExAmPle.OrG", "A")).containsPattern("(?m)^DiCoM\\.ExAmPle\\.OrG\\.\\s+5\\s+IN\\s+A\\s+127\\.0\\.1\\.1");
    }

    @Test
    void clientSubnetChoosesTheSiteAndReportsTheScope() {
        String r = dig("+subnet=127.0.2.0/24", "dicom.example.org", "A");
        assertThat(r).containsPattern("IN\\s+A\\s+127\\.0\\.2\\.1").contains("CLIENT-SUBNET: 127.0.2.0/24/24");
        assertThat(dig("+subnet=127.0.1.0/24", "dicom.example.org", "A")).containsPattern("IN\\s+A\\s+127\\.0\\.1\\.1");
    }
}
