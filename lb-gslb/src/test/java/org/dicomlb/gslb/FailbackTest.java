package org.dicomlb.gslb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dicomlb.gslb.GslbFixture.addresses;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * Failback policies on a failover name (site-a first, site-b second), with real tcp checks of
 * both sites: after site-a fails and recovers, the answer moves back only as the policy says.
 */
class FailbackTest {
    private GslbFixture f;
    private TcpSite siteA;
    private TcpSite siteB;
    private DnsClient dns;
    private int port;

    @BeforeEach
    void sites() {
        port = Ports.free("127.0.1.1");
        siteA = new TcpSite("127.0.1.1", port);
        siteB = new TcpSite("127.0.2.1", port);
        f = new GslbFixture();
        dns = f.client();
    }

    @AfterEach
    void stop() {
        f.close();
        siteA.close();
        siteB.close();
    }

    private void start(String failback) throws Exception {
        String check = "{ type: tcp, port: " + port + ", interval: 300ms, fast-interval: 100ms, timeout: 200ms, rise: 1, fall: 2 }";
        f.apply("""
                listen: 127.0.0.1:%PORT%
                zones:
                  - { name: example.org, nameservers: [ns1.example.net] }
                names:
                  - name: dicom.example.org
                    method: failover
                    failback: FAILBACK
                    members:
                      - { name: site-a, address: 127.0.1.1, check: CHECK }
                      - { name: site-b, address: 127.0.2.1, check: CHECK }
                limits: { rate-limit: { responses-per-second: 0 } }
                """.replace("CHECK", check).replace("FAILBACK", failback));
        GslbFixture.waitFor(() -> members().stream().allMatch(m -> m.health().equals("up")), Duration.ofSeconds(10),
                () -> f.gslb.status());
        assertThat(answer()).containsExactly("127.0.1.1");
    }

    private List<GslbStatus.MemberStatus> members() {
        return f.gslb.status().names().getFirst().members();
    }

    private GslbStatus.MemberStatus siteAStatus() {
        return members().getFirst();
    }

    private List<String> answer() {
        try {
            return addresses(dns.udp("dicom.example.org", Type.A));
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }

    /** Takes site-a down until the answer is site-b, brings it back, and waits until its check sees it healthy again. */
    private void failAndRecoverSiteA() {
        siteA.stop();
        GslbFixture.waitFor(() -> answer().equals(List.of("127.0.2.1")), Duration.ofSeconds(15), () -> f.gslb.status());
        siteA.start();
        GslbFixture.waitFor(() -> siteAStatus().health().equals("up"), Duration.ofSeconds(15), () -> f.gslb.status());
    }

    /** The failback-pending gauge of site-a (the alert rule's input). */
    private double pending() {
        return f.registry.get("dicomlb.gslb.failback.pending").tags("name", "dicom.example.org", "member", "site-a").gauge().value();
    }

    private double failbacks(String how) {
        Counter c = f.registry.find("dicomlb.gslb.failbacks").tags("member", "site-a", "how", how).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void manualKeepsTheOtherSiteUntilTheFailbackCall() throws Exception {
        start("manual");
        assertThat(pending()).as("nothing held before a failure").isZero();
        failAndRecoverSiteA();
        assertThat(siteAStatus().state()).isEqualTo("held");
        GslbFixture.waitFor(() -> pending() == 1, Duration.ofSeconds(5), () -> f.registry.getMeters());
        assertThat(siteAStatus().failback()).isEqualTo("recovered; waiting for 'dicomlb gslb failback'");
        // Healthy, but held: several re-evaluations later the answer has not moved.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        while (System.nanoTime() < until) {
            assertThat(answer()).containsExactly("127.0.2.1");
            Thread.sleep(100);
        }
        FailbackResult r = f.gslb.failback("DICOM.example.org.").get(10, TimeUnit.SECONDS);
        assertThat(r.released()).containsExactly("site-a");
        assertThat(r.describe()).isEqualTo("dicom.example.org: failed back to site-a");
        assertThat(answer()).as("answered at once after the call").containsExactly("127.0.1.1");
        assertThat(siteAStatus().state()).isEqualTo("eligible");
        assertThat(failbacks("manual")).isEqualTo(1);
        assertThat(pending()).as("the failback-pending alert clears").isZero();
        // Nothing is held any more.
        assertThat(f.gslb.failback("dicom.example.org").get(10, TimeUnit.SECONDS).describe())
                .isEqualTo("dicom.example.org: no member is held for failback");
    }

    @Test
    void manualFailbackRefusesAMemberThatIsStillDown() throws Exception {
        start("manual");
        siteA.stop();
        GslbFixture.waitFor(() -> siteAStatus().state().equals("down"), Duration.ofSeconds(15), () -> f.gslb.status());
        FailbackResult r = f.gslb.failback("dicom.example.org").get(10, TimeUnit.SECONDS);
        assertThat(r.released()).isEmpty();
        assertThat(r.notReleased()).containsEntry("site-a", "down; failback releases only a healthy member");
        assertThat(answer()).containsExactly("127.0.2.1");
    }

    @Test
    void anUnknownNameIsAnError() throws Exception {
        start("manual");
        assertThatThrownBy(() -> f.gslb.failback("nosuch.example.org").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("no GSLB name 'nosuch.example.org'; names: dicom.example.org");
    }

    @Test
    void afterWaitsForTheMemberToStayHealthy() throws Exception {
        start("after 4s");
        failAndRecoverSiteA();
        long healthyAt = System.nanoTime();
        assertThat(siteAStatus().state()).isEqualTo("held");
        assertThat(siteAStatus().failback()).startsWith("recovered; waiting ").endsWith(" more");
        assertThat(answer()).containsExactly("127.0.2.1");
        GslbFixture.waitFor(() -> answer().equals(List.of("127.0.1.1")), Duration.ofSeconds(20), () -> f.gslb.status());
        // Released no earlier than 4 s after the check saw it healthy (which was before we looked).
        assertThat(System.nanoTime() - healthyAt).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(3000));
        assertThat(failbacks("after")).isEqualTo(1);
    }

    @Test
    void aGateHoldsTheMemberUntilItPasses() throws Exception {
        AtomicBoolean resynced = new AtomicBoolean(false);
        int gatePort = Ports.free("127.0.1.1");
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.1.1", gatePort), 16);
        http.createContext("/replication", ex -> {
            int code = resynced.get() ? 200 : 503;
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        http.start();
        try {
            start("{ policy: auto, gate: { type: http, port: " + gatePort + ", path: /replication, interval: 300ms, "
                    + "fast-interval: 100ms, timeout: 200ms, rise: 1, fall: 1 } }");
            failAndRecoverSiteA();
            assertThat(siteAStatus().state()).isEqualTo("held");
            assertThat(siteAStatus().failback()).isEqualTo("recovered; waiting for its failback gate to pass");
            assertThat(answer()).containsExactly("127.0.2.1");
            // The manual call cannot jump the gate either.
            assertThat(f.gslb.failback("dicom.example.org").get(10, TimeUnit.SECONDS).notReleased())
                    .containsEntry("site-a", "its failback gate has not passed yet");
            resynced.set(true);
            GslbFixture.waitFor(() -> answer().equals(List.of("127.0.1.1")), Duration.ofSeconds(15), () -> f.gslb.status());
            assertThat(failbacks("auto")).isEqualTo(1);
        } finally {
            http.stop(0);
        }
    }
}
