package org.dicomlb.gslb.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.gslb.DnsClient;
import org.dicomlb.gslb.FailbackResult;
import org.dicomlb.gslb.GslbFixture;
import org.dicomlb.gslb.GslbStatus;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Type;

/**
 * Two sites whose archives are DCMTK storescp processes, checked with a C-ECHO. Addresses:
 * the GSLB on 127.0.0.1; site-a's VIP 127.0.1.1 and site-b's 127.0.2.1 (storescp listens on
 * every address, so each site has its own port); clients of dc-a send from 127.0.1.x; Unbound
 * on 127.0.0.1 with a stub zone pointing at the GSLB and nothing else it may resolve.
 */
class SiteFailoverInteropTest {
    /** The members' check: C-ECHO every second, three failures in a row make a member down. */
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int FALL = 3;
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final int TTL = 2;
    /** Headroom for a loaded two-core CI machine on top of the documented bound. */
    private static final Duration SLACK = Duration.ofSeconds(4);

    @TempDir
    Path tmp;
    private GslbFixture f;
    private DebianTools.Daemon scpA;
    private DebianTools.Daemon scpB;
    private int portA;
    private int portB;

    @BeforeEach
    void start() throws Exception {
        DebianTools.find("storescp", "dcmtk");
        portA = Ports.free("127.0.0.1");
        portB = Ports.free("127.0.0.1");
        scpA = storescp("SITEA", portA);
        scpB = storescp("SITEB", portB);
        f = new GslbFixture();
        String check = "{ type: dicom-echo, interval: 1s, timeout: 500ms, fall: 3, rise: 2, port: PORT }";
        f.apply("""
                listen: 127.0.0.1:%PORT%
                zones:
                  - { name: dicom.example.org, nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }] }
                names:
                  - name: dicom.example.org
                    method: topology
                    ttl: TTL
                    failback: manual
                    members:
                      - { name: site-a, address: 127.0.1.1, datacenter: dc-a, check: CHECK_A }
                      - { name: site-b, address: 127.0.2.1, datacenter: dc-b, check: CHECK_B }
                topology:
                  dc-a: [127.0.1.0/24, 127.0.0.0/24]
                  dc-b: [127.0.2.0/24]
                limits: { rate-limit: { responses-per-second: 0 } }
                """.replace("TTL", Integer.toString(TTL))
                .replace("CHECK_A", check.replace("PORT", Integer.toString(portA)))
                .replace("CHECK_B", check.replace("PORT", Integer.toString(portB))));
        GslbFixture.waitFor(() -> f.gslb.status().names().getFirst().members().stream().allMatch(m -> m.health().equals("up")),
                Duration.ofSeconds(20), () -> f.gslb.status() + "\n" + scpA.log());
    }

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
        if (scpA != null) {
            scpA.close();
        }
        if (scpB != null) {
            scpB.close();
        }
    }

    private DebianTools.Daemon storescp(String aet, int port) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(aet));
        DebianTools.Daemon d = new DebianTools.Daemon(tmp.resolve(aet + ".log"),
                DebianTools.find("storescp", "dcmtk").toString(), "-aet", aet, "-od", dir.toString(), Integer.toString(port));
        GslbFixture.waitFor(() -> listening(port) || !d.alive(), Duration.ofSeconds(10), d::log);
        assertThat(d.alive()).as(d.log()).isTrue();
        return d;
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private List<String> answerFor(DnsClient dns, String source) {
        try {
            return GslbFixture.addresses(dns.udp(DnsClient.query("dicom.example.org", Type.A), InetAddress.ofLiteral(source)));
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }

    private static Duration bound() {
        return INTERVAL.multipliedBy(FALL).plus(TIMEOUT);
    }

    @Test
    void aKilledArchiveMovesItsSitesClientsWithinTheDetectionTimeAndManualFailbackBringsThemBack() throws Exception {
        DnsClient dns = f.client();
        assertThat(answerFor(dns, "127.0.1.7")).containsExactly("127.0.1.1");
        assertThat(answerFor(dns, "127.0.2.7")).containsExactly("127.0.2.1");

        long killed = System.nanoTime();
        scpA.kill();
        GslbFixture.waitFor(() -> answerFor(dns, "127.0.1.7").equals(List.of("127.0.2.1")), bound().plus(SLACK).plus(SLACK),
                () -> f.gslb.status());
        Duration took = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("GSLB failover after storescp SIGKILL: %d ms (bound interval x fall + timeout = %d ms)%n",
                took.toMillis(), bound().toMillis());
        assertThat(took).isLessThan(bound().plus(SLACK));

        // The archive comes back; with failback: manual its clients stay on site-b until the call.
        scpA = storescp("SITEA", portA);
        GslbFixture.waitFor(() -> siteA().health().equals("up"), Duration.ofSeconds(20), () -> f.gslb.status());
        assertThat(siteA().state()).isEqualTo("held");
        assertThat(answerFor(dns, "127.0.1.7")).containsExactly("127.0.2.1");
        FailbackResult r = f.gslb.failback("dicom.example.org").get(10, TimeUnit.SECONDS);
        assertThat(r.released()).containsExactly("site-a");
        assertThat(answerFor(dns, "127.0.1.7")).containsExactly("127.0.1.1");
    }

    private GslbStatus.MemberStatus siteA() {
        return f.gslb.status().names().getFirst().members().getFirst();
    }

    @Test
    void unboundWithAStubZoneFollowsAFailureWithinTtlPlusDetection() throws Exception {
        Path unbound = DebianTools.find("unbound", "unbound");
        int port = Ports.free("127.0.0.1");
        Path conf = tmp.resolve("unbound.conf");
        Files.writeString(tmp.resolve("root.hints"), """
                ; A root that is not there: nothing may leave this machine.
                .                        3600000      NS    root.invalid.
                root.invalid.            3600000      A     127.0.0.254
                """);
        Files.writeString(conf, """
                server:
                  interface: 127.0.0.1
                  port: PORT
                  outgoing-interface: 127.0.0.1
                  do-ip6: no
                  do-daemonize: no
                  username: ""
                  chroot: ""
                  directory: "DIR"
                  pidfile: "DIR/unbound.pid"
                  use-syslog: no
                  logfile: ""
                  verbosity: 1
                  module-config: "iterator"
                  root-hints: "DIR/root.hints"
                  do-not-query-localhost: no
                  qname-minimisation: no
                  prefetch: no
                  access-control: 127.0.0.0/8 allow
                  # Nothing but the stub zone is resolved: every other name is refused locally.
                  local-zone: "." refuse
                  local-zone: "dicom.example.org." transparent
                stub-zone:
                  name: "dicom.example.org"
                  stub-addr: 127.0.0.1@GSLB
                remote-control:
                  control-enable: no
                """.replace("PORT", Integer.toString(port)).replace("DIR", tmp.toString())
                .replace("GSLB", Integer.toString(f.port)));
        try (DebianTools.Daemon resolver = new DebianTools.Daemon(tmp.resolve("unbound.log"), unbound.toString(), "-d", "-c", conf.toString())) {
            DnsClient viaUnbound = new DnsClient(new InetSocketAddress("127.0.0.1", port));
            GslbFixture.waitFor(() -> answerFor(viaUnbound, "127.0.0.1").equals(List.of("127.0.1.1")) || !resolver.alive(),
                    Duration.ofSeconds(20), () -> resolver.log() + answerFor(viaUnbound, "127.0.0.1"));
            assertThat(resolver.alive()).as(resolver.log()).isTrue();
            Message other = viaUnbound.udp("www.example.com", Type.A);
            assertThat(other.getRcode()).as("nothing outside the stub zone is resolved").isEqualTo(org.xbill.DNS.Rcode.REFUSED);

            long killed = System.nanoTime();
            scpA.kill();
            // Unbound asks from 127.0.0.1 (dc-a): it must move to site-b once the cached answer expires.
            GslbFixture.waitFor(() -> answerFor(viaUnbound, "127.0.0.1").equals(List.of("127.0.2.1")),
                    bound().plusSeconds(TTL).plus(SLACK).plus(SLACK), () -> f.gslb.status() + resolver.log());
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            System.out.printf("Unbound answer moved to site-b %d ms after storescp SIGKILL (bound TTL + interval x fall + timeout = %d ms)%n",
                    took.toMillis(), bound().plusSeconds(TTL).toMillis());
            assertThat(took).isLessThan(bound().plusSeconds(TTL).plus(SLACK));
        }
    }
}
