package org.dicomlb.gslb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.gslb.GslbFixture.addresses;

import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.gslb.config.GslbConfig;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Reloads keep answering and are all-or-nothing; the limits bound what clients can make us do. */
class ReloadAndLimitsTest {
    private final GslbFixture f = new GslbFixture(pool -> Optional.of(true));

    @AfterEach
    void stop() {
        f.close();
    }

    private static String config(String listen, String address, String limits) {
        return """
                listen: LISTEN
                zones:
                  - { name: dicom.example.org, nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }] }
                names:
                  - name: dicom.example.org
                    members:
                      - { name: site, address: ADDRESS, pool: archive }
                limits: LIMITS
                """.replace("LISTEN", listen).replace("ADDRESS", address).replace("LIMITS", limits);
    }

    private static final String NO_RRL = "{ rate-limit: { responses-per-second: 0 } }";

    @Test
    void withoutAConfigurationTheControlThreadIsNotWokenPeriodically() throws Exception {
        assertThat(f.gslb.reevaluating()).isFalse();
        f.apply(config("127.0.0.1:%PORT%", "127.0.1.1", NO_RRL), Set.of("archive"));
        assertThat(f.gslb.reevaluating()).isTrue();
        f.gslb.clear().get(30, TimeUnit.SECONDS);
        assertThat(f.gslb.reevaluating()).isFalse();
        // Applied again, it re-evaluates again.
        f.apply(config("127.0.0.1:%PORT%", "127.0.1.1", NO_RRL), Set.of("archive"));
        assertThat(f.gslb.reevaluating()).isTrue();
    }

    @Test
    void reloadKeepsAnsweringThroughoutAndPublishesTheNewAnswer() throws Exception {
        f.apply(config("127.0.0.1:%PORT%", "127.0.1.1", NO_RRL), Set.of("archive"));
        DnsClient dns = f.client();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        List<String> problems = new ArrayList<>();
        Thread client = new Thread(() -> {
            while (running.get()) {
                try {
                    Message r = dns.udp("dicom.example.org", Type.A);
                    if (r.getRcode() != Rcode.NOERROR || addresses(r).size() != 1) {
                        failures.incrementAndGet();
                        synchronized (problems) {
                            problems.add(r.toString());
                        }
                    }
                    answered.incrementAndGet();
                } catch (Exception e) {
                    failures.incrementAndGet();
                    synchronized (problems) {
                        problems.add(e.toString());
                    }
                }
            }
        });
        client.start();
        try {
            for (int i = 0; i < 20; i++) {
                f.apply(config("127.0.0.1:%PORT%", "127.0.1." + (i % 2 + 1), NO_RRL), Set.of("archive"));
            }
            f.apply(config("127.0.0.1:%PORT%", "127.0.9.9", NO_RRL), Set.of("archive"));
            GslbFixture.waitFor(() -> answered.get() > 20, Duration.ofSeconds(20), answered::get);
        } finally {
            running.set(false);
            client.join(10_000);
        }
        assertThat(failures.get()).as("%s", problems).isZero();
        assertThat(addresses(dns.udp("dicom.example.org", Type.A))).containsExactly("127.0.9.9");
    }

    @Test
    void aNewListenAddressIsBoundBeforeTheOldOneCloses() throws Exception {
        f.apply(config("127.0.0.1:%PORT%", "127.0.1.1", NO_RRL), Set.of("archive"));
        int other = Ports.free("127.0.0.2");
        f.apply(config("127.0.0.2:" + other, "127.0.1.1", NO_RRL), Set.of("archive"));
        assertThat(f.gslb.status().listen()).isEqualTo("127.0.0.2:" + other);
        assertThat(addresses(new DnsClient(new InetSocketAddress("127.0.0.2", other)).udp("dicom.example.org", Type.A)))
                .containsExactly("127.0.1.1");
        assertThatThrownBy(() -> f.client().udpRaw(DnsClient.query("dicom.example.org", Type.A).toWire(),
                InetAddress.getLoopbackAddress(), 300)).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void aBindFailureLeavesTheRunningConfigurationAnswering() throws Exception {
        f.apply(config("127.0.0.1:%PORT%", "127.0.1.1", NO_RRL), Set.of("archive"));
        int taken = Ports.free("127.0.0.3");
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.0.0.3", taken))) {
            GslbConfig moved = GslbFixture.config(config("127.0.0.3:" + taken, "127.0.7.7", NO_RRL), Set.of("archive"));
            assertThatThrownBy(() -> f.gslb.apply(moved).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("cannot bind the GSLB's UDP socket on 127.0.0.3:" + taken);
        }
        assertThat(addresses(f.client().udp("dicom.example.org", Type.A))).containsExactly("127.0.1.1");
        assertThat(f.gslb.status().listen()).isEqualTo("127.0.0.1:" + f.port);
    }

    @Test
    void rateLimitingDropsAndSlipsPerSubnetWhileOtherSubnetsAreAnswered() throws Exception {
        f.apply(config("127.0.0.1:%PORT%", "127.0.1.1", "{ rate-limit: { responses-per-second: 1, burst: 3, slip: 2 } }"),
                Set.of("archive"));
        DnsClient dns = f.client();
        InetAddress flooder = InetAddress.ofLiteral("127.0.5.1");
        int full = 0;
        int truncated = 0;
        int silent = 0;
        for (int i = 0; i < 12; i++) {
            try {
                Message r = new Message(dns.udpRaw(DnsClient.query("dicom.example.org", Type.A).toWire(), flooder, 300));
                if (r.getHeader().getFlag(Flags.TC)) {
                    truncated++;
                    assertThat(r.getSection(org.xbill.DNS.Section.ANSWER)).isEmpty();
                } else {
                    full++;
                }
            } catch (SocketTimeoutException e) {
                silent++;
            }
        }
        assertThat(full).as("the burst (shared by the sockets), and at most a few refills").isBetween(2, 8);
        assertThat(truncated).as("every second limited response slips out with TC").isGreaterThanOrEqualTo(1);
        assertThat(silent).isGreaterThanOrEqualTo(1);
        // Another address of the same /24 shares the budget; another subnet does not.
        assertThat(addresses(dns.udp(DnsClient.query("dicom.example.org", Type.A), InetAddress.ofLiteral("127.0.6.1"))))
                .containsExactly("127.0.1.1");
        // TCP is never limited: the resolver's retry after TC gets through.
        assertThat(addresses(dns.tcp("dicom.example.org", Type.A))).containsExactly("127.0.1.1");
        assertThat(f.registry.find("dicomlb.gslb.rate.limited").tag("action", "dropped").counter().count()).isEqualTo(silent);
    }

    @Test
    void tcpConnectionsAreBoundedAndIdleOnesClosed() throws Exception {
        f.apply(config("127.0.0.1:%PORT%", "127.0.1.1", "{ tcp-connections: 2, tcp-idle: 500ms }"), Set.of("archive"));
        try (Socket a = new Socket("127.0.0.1", f.port); Socket b = new Socket("127.0.0.1", f.port)) {
            GslbFixture.waitFor(() -> f.gslb.status().tcpConnections() == 2 || tcpCount() == 2, Duration.ofSeconds(5), this::tcpCount);
            try (Socket c = new Socket("127.0.0.1", f.port)) {
                c.setSoTimeout(5000);
                assertThat(c.getInputStream().read()).as("a third connection is closed at once").isEqualTo(-1);
            }
            // Both idle connections are closed by the server after tcp-idle.
            for (Socket s : List.of(a, b)) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                assertThat(in.read()).isEqualTo(-1);
            }
        }
        // And a new connection is served again.
        assertThat(addresses(f.client().tcp("dicom.example.org", Type.A))).containsExactly("127.0.1.1");
    }

    private int tcpCount() {
        return (int) f.registry.get("dicomlb.gslb.tcp.connections").gauge().value();
    }
}
