package org.dicomlb.gslb.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomlb.config.Cidr;
import org.junit.jupiter.api.Test;

class SubnetMapTest {
    private final SubnetMap map = new SubnetMap(table());

    private static Map<String, List<Cidr>> table() {
        Map<String, List<Cidr>> t = new LinkedHashMap<>();
        t.put("campus", List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/16")));
        t.put("dr", List.of(Cidr.parse("10.20.0.0/16")));
        t.put("ward", List.of(Cidr.parse("10.20.30.0/24")));
        return t;
    }

    private SubnetMap.Match match(String ip) {
        return map.match(InetAddress.ofLiteral(ip));
    }

    @Test
    void theLongestPrefixWins() {
        assertThat(match("10.1.2.3").datacenter()).contains("campus");
        assertThat(match("10.20.1.1").datacenter()).contains("dr");
        assertThat(match("10.20.30.40").datacenter()).contains("ward");
        assertThat(match("fd00:1::5").datacenter()).contains("campus");
        assertThat(match("192.0.2.1").datacenter()).isEmpty();
        assertThat(map.datacenter(InetAddress.ofLiteral("10.20.30.1"))).contains("ward");
    }

    @Test
    void theScopeIsTheWidestBlockAroundTheClientWithOneAnswer() {
        // Inside a /24 with nothing more specific: the /24.
        assertThat(match("10.20.30.40").scope()).isEqualTo(24);
        // Inside 10.20.0.0/16 but its /24 holds 10.20.30.0/24 when wider than 10.20.0.0/19.
        assertThat(match("10.20.1.1").scope()).isEqualTo(20);
        // 10.1.0.0 shares 11 bits with 10.20.0.0: a /12 around it is all campus.
        assertThat(match("10.1.0.0").scope()).isEqualTo(12);
        // Nothing near: one bit separates it from every subnet of its family.
        assertThat(match("192.0.2.1").scope()).isEqualTo(1);
        assertThat(match("fd00:1::5").scope()).isEqualTo(16);
        assertThat(SubnetMap.EMPTY.match(InetAddress.ofLiteral("10.0.0.1"))).isEqualTo(new SubnetMap.Match(Optional.empty(), 0));
    }
}
