package org.dicomlb.gslb.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.dicomlb.config.Cidr;
import org.dicomlb.config.ConfigError;
import org.dicomlb.config.Problems;
import org.dicomlb.config.Section;
import org.dicomlb.config.YamlTree;
import org.dicomlb.healthcheck.config.CheckType;
import org.dicomlb.healthcheck.config.HttpProbe;
import org.junit.jupiter.api.Test;

class GslbConfigReaderTest {
    private final Problems problems = new Problems();

    private GslbConfig read(String yaml) throws Exception {
        Section s = Section.of(YamlTree.parse("dicomlb.yaml", yaml), problems, "gslb").orElseThrow();
        return GslbConfigReader.read(s, Set.of("archive", "archive-qr"));
    }

    private List<String> errors() {
        return problems.errors().stream().map(ConfigError::toString).toList();
    }

    private static final String ZONE = """
            listen: 127.0.0.1:5353
            zones: [{ name: dicom.example.org, ttl: 5, nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }] }]
            """;

    @Test
    void readsTheDesignExampleWithEveryDefault() throws Exception {
        GslbConfig c = read(ZONE + """
                names:
                  - name: dicom.example.org
                    method: topology
                    failback: auto
                    members:
                      - { name: site-a, address: 127.0.1.1, datacenter: dc-a, check: { type: tcp, port: 104 } }
                      - { name: site-b, address: 127.0.2.1, datacenter: dc-b }
                topology:
                  dc-a: [127.0.1.0/24]
                  dc-b: [127.0.2.0/24]
                """);
        assertThat(errors()).isEmpty();
        assertThat(c.listen().getPort()).isEqualTo(5353);
        ZoneConfig z = c.zones().getFirst();
        assertThat(z.ttl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(z.negativeTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(z.contact()).isEqualTo("hostmaster.dicom.example.org");
        NameConfig n = c.names().getFirst();
        assertThat(n.ttl()).as("default TTL").isEqualTo(Duration.ofSeconds(5));
        assertThat(n.fallback()).as("default fallback").isEqualTo(Fallback.ALL);
        assertThat(n.failback()).isEqualTo(Failback.AUTO);
        MemberConfig b = n.members().get(1);
        assertThat(b.health()).isInstanceOfSatisfying(MemberHealth.Check.class,
                h -> assertThat(h.config().type()).as("default check").isEqualTo(CheckType.TCP));
        assertThat(c.topology().datacenters()).containsEntry("dc-a", List.of(Cidr.parse("127.0.1.0/24")));
        assertThat(c.limits()).isEqualTo(Limits.DEFAULT);
    }

    @Test
    void readsFailbackPoliciesGatesPoolsAndLimits() throws Exception {
        GslbConfig c = read(ZONE + """
                names:
                  - name: a.dicom.example.org
                    failback: manual
                    fallback: refuse
                    ttl: 30s
                    members: [{ name: local, address: 127.0.1.1, pool: archive }]
                  - name: b.dicom.example.org
                    failback: after 10m
                    members: [{ name: x, address: "fd00::1", check: { type: dicom-echo, called-ae: ARCHIVE } }]
                  - name: c.dicom.example.org
                    method: weighted
                    failback: { policy: after 1m, gate: { type: http, port: 8080, path: /replication/ok } }
                    members:
                      - { name: x, address: 127.0.1.1, weight: 3 }
                      - { name: y, address: 127.0.2.1 }
                limits:
                  tcp-connections: 64
                  tcp-idle: 5s
                  udp-payload: 1400
                  rate-limit: { responses-per-second: 50, slip: 0, ipv4-prefix: 32 }
                """);
        assertThat(errors()).isEmpty();
        NameConfig a = c.names().get(0);
        assertThat(a.failback().mode()).isEqualTo(FailbackMode.MANUAL);
        assertThat(a.fallback()).isEqualTo(Fallback.REFUSE);
        assertThat(a.ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(a.members().getFirst().health()).isEqualTo(new MemberHealth.Pool("archive"));
        assertThat(c.names().get(1).failback()).isEqualTo(new Failback(FailbackMode.AFTER, Duration.ofMinutes(10), Optional.empty()));
        assertThat(c.names().get(1).members().getFirst().address()).isEqualTo(InetAddress.ofLiteral("fd00::1"));
        Failback gated = c.names().get(2).failback();
        assertThat(gated.after()).isEqualTo(Duration.ofMinutes(1));
        assertThat(gated.gate().orElseThrow().probe()).isInstanceOfSatisfying(HttpProbe.class,
                p -> assertThat(p.path()).isEqualTo("/replication/ok"));
        assertThat(c.names().get(2).members().getFirst().weight()).isEqualTo(3);
        assertThat(c.limits().tcpConnections()).isEqualTo(64);
        assertThat(c.limits().rateLimit()).isEqualTo(new RateLimit(50, 100, 0, 32, 56));
    }

    @Test
    void everyMistakeIsReportedAtItsPosition() throws Exception {
        GslbConfig c = read("""
                listen: 127.0.0.1
                zones:
                  - name: dicom.example.org
                    nameservers: [ns1.dicom.example.org]
                names:
                  - name: dicom.example.com
                    method: topology
                    failback: later
                    members:
                      - { name: a, address: 127.0.1.1:104, datacenter: dc-x, pool: pacs }
                      - { name: a, address: 127.0.2.1, check: { type: tcp }, pool: archive }
                topology:
                  dc-a: [127.0.1.0/33]
                  dc-b: [127.0.1.0/24, 127.0.1.0/24]
                limits: { tcp-conections: 5 }
                """);
        assertThat(c).isNull();
        // A zone or topology with an error is left out, so the checks against it (the name's zone,
        // the member's datacenter) wait for the next run instead of piling up follow-on errors.
        assertThat(errors()).containsExactlyInAnyOrder(
                "dicomlb.yaml:1:9: 'listen': '127.0.0.1' has no port; write host:port, e.g. 127.0.0.1:104",
                "dicomlb.yaml:4:19: nameserver ns1.dicom.example.org is inside the zone, so it needs its address: write { name: ns1.dicom.example.org, address: IP }",
                "dicomlb.yaml:8:15: 'failback': 'later' is not a failback policy; write auto, manual or after DURATION (e.g. after 10m)",
                "dicomlb.yaml:10:29: 'address': '127.0.1.1:104' looks like ip:port; a member is an IP only (DNS carries no ports)",
                "dicomlb.yaml:10:68: pool 'pacs' is not defined (pools: archive, archive-qr)",
                "dicomlb.yaml:11:17: member 'a' is already defined (dicomlb.yaml:10:17)",
                "dicomlb.yaml:11:68: give either 'check' (an active check of the member) or 'pool' (a local pool's health), not both",
                "dicomlb.yaml:13:10: datacenter dc-a: '127.0.1.0/33': prefix length must be 0..32",
                "dicomlb.yaml:14:24: subnet 127.0.1.0/24 is already mapped to datacenter dc-b",
                "dicomlb.yaml:15:11: unknown key 'tcp-conections' in gslb limits; did you mean 'tcp-connections'?");
    }

    @Test
    void badTtlsAndNamesAreRefused() throws Exception {
        read("""
                listen: 127.0.0.1:53
                zones:
                  - { name: "dicom..example.org", nameservers: [ns.example.net] }
                  - { name: example.net, ttl: 1500ms, nameservers: [ns.example.com] }
                names: []
                """);
        assertThat(errors()).containsExactly(
                "dicomlb.yaml:3:13: 'name': 'dicom..example.org' has an empty label",
                "dicomlb.yaml:4:31: 'ttl': a TTL is whole seconds, not 1s500ms");
    }
}
