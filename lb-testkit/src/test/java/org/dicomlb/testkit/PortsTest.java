package org.dicomlb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

    @Test
    void aPortHeldByAnotherProcessIsNeverHandedOutHere() throws Exception {
        // Another JVM (a second build on the same machine) takes ports it has not bound yet: they
        // are free to bind, yet must not be handed out here.
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PortHolder.class.getName(), "20")
                .redirectErrorStream(true).start();
        List<Integer> theirs;
        try {
            String line = new BufferedReader(new InputStreamReader(other.getInputStream())).readLine();
            assertThat(line).as("the other process' ports").isNotNull();
            theirs = Arrays.stream(line.split(" ")).map(Integer::valueOf).toList();
            assertThat(theirs).hasSize(20);
            for (int p : theirs) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress("127.0.0.1", p));
                }
                assertThat(Ports.reserve(p)).as("port %d, held by the other process", p).isFalse();
            }
        } finally {
            other.getOutputStream().close();
            assertThat(other.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        // Its reservations ended with it, however it ended.
        assertThat(Ports.reserve(theirs.getFirst())).isTrue();
    }
}
