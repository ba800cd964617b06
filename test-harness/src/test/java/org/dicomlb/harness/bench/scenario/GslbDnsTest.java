package org.dicomlb.harness.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.gslb.config.GslbConfig;
import org.dicomlb.gslb.config.MemberHealth;
import org.junit.jupiter.api.Test;

class GslbDnsTest {
    @Test
    void theGeneratedConfigurationRunsTheGslbAloneWithTheZoneGdnsdServes() throws Exception {
        InetSocketAddress gslb = new InetSocketAddress("127.0.0.1", 17114);
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", 17109);
        String yaml = GslbDns.dicomlbYaml(gslb, admin);
        assertThat(yaml.lines().findFirst().orElseThrow()).endsWith("the GSLB alone.");
        RootConfig root = RootConfigReader.parse("bench.yaml", yaml);
        assertThat(root.engine().listeners()).isEmpty();
        GslbConfig c = root.gslb().orElseThrow();
        assertThat(c.listen()).isEqualTo(gslb);
        assertThat(c.zones().getFirst().name()).isEqualTo("dicom.example.org");
        assertThat(c.zones().getFirst().ttl().toSeconds()).isEqualTo(300);
        assertThat(c.zones().getFirst().negativeTtl().toSeconds()).isEqualTo(30);
        assertThat(c.names().getFirst().ttl().toSeconds()).isEqualTo(5);
        assertThat(c.names().getFirst().members().getFirst().address()).isEqualTo(InetAddress.ofLiteral("127.0.1.1"));
        assertThat(c.names().getFirst().members().getFirst().health()).isInstanceOf(MemberHealth.Check.class);
        assertThat(c.limits().rateLimit().enabled()).as("one source address: rate limiting would skew the run").isFalse();
    }
}
