package org.dicomlb.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomlb.engine.BalancingThroughProxyTest.waitFor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.EndpointHealth.State;
import org.dicomlb.engine.testing.Client;
import org.dicomlb.engine.testing.EngineFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Health checks, passive health, admin states, slow start and on-down, seen through the relay. */
class HealthIntegrationTest {
    private final EngineFixture fx = new EngineFixture();
    private final List<ServerSocket> healthPorts = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        fx.close();
        for (ServerSocket s : healthPorts) {
            s.close();
        }
    }

    private Endpoint endpoint(String name) {
        return fx.endpoint(name);
    }

    private double connectFailures(String backend) {
        double v = fx.metric("dicomlb_backend_connect_failures_total{backend=\"" + backend + "\",pool=\"p\",reason=\"refused\"}");
        return Double.isNaN(v) ? 0 : v;
    }

    /** A port a tcp check can be pointed at, so a test can fail the check without killing the service. */
    private ServerSocket healthPort(String host, int port) throws IOException {
        ServerSocket s = new ServerSocket(port, 50, InetAddress.getByName(host));
        healthPorts.add(s);
        Thread.ofVirtual().start(() -> {
            while (!s.isClosed()) {
                try {
                    s.accept().close();
                } catch (IOException e) {
                    return;
                }
            }
        });
        return s;
    }

    /** A tcp check on {@code port} that decides on one probe, every 100-200 ms, and ignores live traffic. */
    private static String quickCheckOn(int port) {
        return "health-check: { type: tcp, port: " + port
                + ", interval: 200ms, fast-interval: 100ms, timeout: 100ms, rise: 1, fall: 1, observe: false }";
    }

    @Test
    void aKilledBackendIsMarkedDownAndThenGetsNoNewConnections() throws Exception {
        fx.backends(3).start(fx.config("health-check: { type: tcp, interval: 200ms, fast-interval: 100ms, timeout: 100ms, "
                + "rise: 2, fall: 2 }"));
        waitFor(() -> endpoint("b2").health().state() == State.UP);
        fx.backend(1).kill();
        long killed = System.nanoTime();
        Map<String, Integer> served = new HashMap<>();
        // Clients keep succeeding while the failure is detected: connect failures are retried.
        while (endpoint("b2").health().state() != State.DOWN) {
            served.merge(Client.whoServes(fx.front(), null), 1, Integer::sum);
            assertThat(System.nanoTime() - killed).as("marked down in time").isLessThan(3_000_000_000L);
        }
        // interval x fall + timeout, plus scheduling slack on a loaded machine
        assertThat((System.nanoTime() - killed) / 1_000_000).isLessThan(1500);
        assertThat(endpoint("b2").health().reason()).contains("refused");
        double failuresAtDown = connectFailures("b2");
        for (int i = 0; i < 30; i++) {
            served.merge(Client.whoServes(fx.front(), null), 1, Integer::sum);
        }
        assertThat(connectFailures("b2")).as("no connection attempts after down").isEqualTo(failuresAtDown);
        assertThat(fx.engine.status().pools().getFirst().eligible()).isEqualTo(2);
        assertThat(fx.metric("dicomlb_endpoint_up{backend=\"b2\",check=\"tcp\",pool=\"p\"}")).isEqualTo(0.0);
    }

    @Test
    void passiveFailuresFromSeveralClientsMarkABackendDownBetweenProbes() throws Exception {
        fx.backends(2).start(fx.config("balance: source\n    health-check: { type: tcp, interval: 1m, timeout: 1s, fall: 1, "
                + "observe: { min-clients: 2, window: 10s } }"));
        waitFor(() -> endpoint("b1").health().state() == State.UP && endpoint("b2").health().state() == State.UP);
        fx.backend(0).kill();
        // Every client still gets served (retry); distinct clients' failures on b1 count.
        for (int i = 1; i <= 20 && endpoint("b1").health().state() != State.DOWN; i++) {
            assertThat(Client.whoServes(fx.front(), "127.0.4." + i)).isEqualTo("b2");
        }
        waitFor(() -> endpoint("b1").health().state() == State.DOWN);
    }

    @Test
    void drainAndMaintKeepEstablishedConnectionsAndSurviveAReload() throws Exception {
        fx.backends(2).start(fx.config("balance: roundrobin"));
        try (Client held = Client.connect(fx.front())) {
            String heldOn = held.greeting();
            String other = heldOn.equals("b1") ? "b2" : "b1";
            var change = fx.engine.setAdminState("p", heldOn, AdminState.DRAIN).join();
            assertThat(change.backend().adminState()).isEqualTo("drain");
            assertThat(change.backend().connections()).isEqualTo(1);
            for (int i = 0; i < 6; i++) {
                assertThat(Client.whoServes(fx.front(), null)).isEqualTo(other);
            }
            // The drained backend's established connection still works.
            held.socket().getOutputStream().write("ping".getBytes());
            assertThat(new String(held.socket().getInputStream().readNBytes(4))).isEqualTo("ping");
            assertThat(fx.apply(fx.config("balance: leastconn")).applied()).isTrue();
            assertThat(endpoint(heldOn).backend().adminState()).isEqualTo(AdminState.DRAIN);
            assertThat(Client.whoServes(fx.front(), null)).isEqualTo(other);

            fx.engine.setAdminState("p", heldOn, AdminState.MAINT).join();
            // Maintenance pauses the checks; the admin state says why, the health says "not checked".
            assertThat(endpoint(heldOn).health().state()).isEqualTo(State.PAUSED);
            fx.engine.setAdminState("p", heldOn, AdminState.READY).join();
            assertThat(fx.engine.setAdminState("p", "nope", AdminState.READY).join().found()).isFalse();
            assertThat(endpoint(heldOn).eligible()).isTrue();
            held.close();
            waitFor(() -> endpoint(heldOn).active() == 0);
            Map<String, Integer> n = new HashMap<>();
            for (int i = 0; i < 4; i++) {
                n.merge(Client.whoServes(fx.front(), null), 1, Integer::sum);
                waitFor(() -> endpoint("b1").active() + endpoint("b2").active() == 0);
            }
            assertThat(n).containsKey(heldOn);
        }
    }

    @Test
    void slowStartRampsTheWeightOfARecoveredBackend() throws Exception {
        fx.backends(2);
        ServerSocket b2Health = healthPort("127.0.0.12", 0);
        int port = b2Health.getLocalPort();
        healthPort("127.0.0.11", port);
        fx.start(fx.config("balance: roundrobin\n    slow-start: 2s\n    " + quickCheckOn(port)));
        waitFor(() -> endpoint("b2").health().state() == State.UP);
        assertThat(endpoint("b2").weightScalePermille()).as("no ramp at boot").isEqualTo(1000);
        b2Health.close();
        waitFor(() -> endpoint("b2").health().state() == State.DOWN);
        healthPort("127.0.0.12", port);
        waitFor(() -> endpoint("b2").health().state() == State.UP);
        assertThat(endpoint("b2").weightScalePermille()).isLessThan(600);
        waitFor(() -> endpoint("b2").weightScalePermille() > 0 && endpoint("b2").weightScalePermille() < 1000);
        waitFor(() -> endpoint("b2").weightScalePermille() == 1000);
        assertThat(endpoint("b2").effectiveWeight()).isEqualTo(1);
    }

    @Test
    void aRecoveredBackendShowsNoOldFailureReasonAfterAReload() throws Exception {
        fx.backends(1);
        ServerSocket health = healthPort("127.0.0.11", 0);
        int port = health.getLocalPort();
        String check = quickCheckOn(port);
        fx.start(fx.config(check));
        waitFor(() -> endpoint("b1").health().state() == State.UP);
        health.close();
        waitFor(() -> endpoint("b1").health().state() == State.DOWN);
        assertThat(endpoint("b1").health().reason()).contains("refused");
        healthPort("127.0.0.11", port);
        waitFor(() -> endpoint("b1").health().state() == State.UP);
        assertThat(endpoint("b1").health().reason()).isEmpty();

        // A reload re-reads every endpoint's state from the checker: "up" stays without the old reason.
        assertThat(fx.apply(fx.config("balance: leastconn\n    " + check)).applied()).isTrue();
        assertThat(endpoint("b1").health().state()).isEqualTo(State.UP);
        assertThat(endpoint("b1").health().reason()).isEmpty();
    }

    @Test
    void onDownShutdownClosesTheDownBackendsConnections() throws Exception {
        fx.backends(1);
        ServerSocket health = healthPort("127.0.0.11", 0);
        fx.start(fx.config("on-down: shutdown\n    " + quickCheckOn(health.getLocalPort())));
        waitFor(() -> endpoint("b1").health().state() == State.UP);
        try (var log = org.dicomlb.engine.testing.LogCapture.accessLog(); Client c = Client.connect(fx.front())) {
            assertThat(c.greeting()).isEqualTo("b1");
            health.close();
            assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
            waitFor(() -> !log.lines().isEmpty());
            assertThat(log.lines().getFirst()).contains("end=backend_down");
        }
    }

    @Test
    void withoutOnDownShutdownEstablishedConnectionsAreKept() throws Exception {
        fx.backends(1);
        ServerSocket health = healthPort("127.0.0.11", 0);
        fx.start(fx.config(quickCheckOn(health.getLocalPort())));
        waitFor(() -> endpoint("b1").health().state() == State.UP);
        try (Client c = Client.connect(fx.front())) {
            assertThat(c.greeting()).isEqualTo("b1");
            health.close();
            waitFor(() -> endpoint("b1").health().state() == State.DOWN);
            c.socket().getOutputStream().write("still".getBytes());
            assertThat(new String(c.socket().getInputStream().readNBytes(5))).isEqualTo("still");
        }
        assertThat(fx.engine.status().pools().getFirst().backends().getFirst().healthReason()).contains("refused");
    }

    @Test
    void aDicomEchoCheckCallsEachBackendByItsOwnCalledAe() throws Exception {
        var archive = org.dicomlb.dicom.scp.ScpConfig.of(org.dicomlb.dicom.AeTitle.of("ARCHIVE1")).withRequireCalledAe(true);
        try (var one = org.dicomlb.dicom.scp.SimulatedScp.start(archive, new InetSocketAddress("127.0.0.41", 0));
             var two = org.dicomlb.dicom.scp.SimulatedScp.start(archive, new InetSocketAddress("127.0.0.42", 0))) {
            fx.start("""
                    listeners: [ { name: front, bind: 127.0.0.1:%d, pool: p } ]
                    pools:
                      - name: p
                        health-check: { type: dicom-echo, interval: 1s, fast-interval: 100ms, timeout: 800ms, rise: 1, fall: 1 }
                        backends:
                          - { name: own-title, address: "127.0.0.41:%d", called-ae: ARCHIVE1 }
                          - { name: no-title, address: "127.0.0.42:%d" }
                    """.formatted(fx.listenPort, one.localAddress().getPort(), two.localAddress().getPort()));
            // Probes go on while down; the reason shown is the last one's (a cold first probe may time out).
            waitFor(() -> endpoint("own-title").health().state() == State.UP && endpoint("no-title").health().state() == State.DOWN
                    && endpoint("no-title").health().reason()
                            .endsWith("association rejected permanent by service-user: called-ae-title-not-recognized"));
        }
    }

    @Test
    void poolsWithoutAHealthCheckShowUnchecked() throws Exception {
        fx.backends(1).start(fx.config(""));
        assertThat(fx.engine.status().pools().getFirst().backends().getFirst().health()).isEqualTo("unchecked");
    }
}
