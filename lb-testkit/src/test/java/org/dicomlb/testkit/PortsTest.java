package org.dicomlb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
    @Test
    void portsLieBelowTheEphemeralRangeAreBindableAndNeverRepeat() throws Exception {
        int high = Ports.ephemeralLow();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int p = Ports.free("127.0.0.1");
            assertThat(p).isBetween(Ports.LOW, high - 1);
            assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
        }
        int p = Ports.free("127.0.0.12");
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.12", p));
            assertThat(s.getLocalPort()).isEqualTo(p);
        }
    }

    @Test
    void aPortTakenOnTheWildcardAddressIsSkipped() throws Exception {
        // storescp listens on every address: a port it holds is not free on 127.0.0.1 either.
        int next;
        try (ServerSocket wildcard = new ServerSocket()) {
            int p = Ports.free("127.0.0.1");
            wildcard.bind(new InetSocketAddress("0.0.0.0", p + 1));
            next = Ports.free("127.0.0.1");
            assertThat(next).isNotEqualTo(p + 1);
        }
    }
}
