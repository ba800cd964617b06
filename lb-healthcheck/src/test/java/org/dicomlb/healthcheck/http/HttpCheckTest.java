package org.dicomlb.healthcheck.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomlb.healthcheck.HealthStatus.DOWN;
import static org.dicomlb.healthcheck.HealthStatus.UP;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.CheckTarget;
import org.dicomlb.healthcheck.Configs;
import org.dicomlb.healthcheck.HealthChecker;
import org.dicomlb.healthcheck.HealthStatus;
import org.dicomlb.healthcheck.ManualScheduler;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.healthcheck.config.HealthCheckConfig;
import org.dicomlb.healthcheck.config.HttpProbe;
import org.dicomlb.healthcheck.config.StatusRange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http check against an in-process WireMock server that misbehaves on cue. */
class HttpCheckTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static WireMockServer wm;
    static ProbeTransport transport;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort()
                .containerThreads(12).jettyAcceptors(1).gzipDisabled(true));
        wm.start();
        transport = ProbeTransport.create(1, "test-http");
    }

    @AfterAll
    static void stop() {
        transport.group().shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).syncUninterruptibly();
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
    }

    static InetSocketAddress http() {
        return new InetSocketAddress("127.0.0.1", wm.port());
    }

    static void answer(int status) {
        wm.resetMappings();
        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(status).withBody("state")));
    }

    static int requests() {
        return wm.countRequestsMatching(RequestPatternBuilder.allRequests().build()).getCount();
    }

    @Test
    void statusFollowsFlipsAndSlowAnswersAfterExactlyFallAndRiseProbes() throws Exception {
        HealthCheckConfig config = Configs.read("""
                { type: http, path: /health, expect-status: [200], interval: 2s, fast-interval: 500ms,
                  down-interval: 2s, timeout: 1s, rise: 2, fall: 3, spread: 0% }
                """);
        // The check's timeout runs on the real clock: a cold first exchange (JIT, WireMock) on a
        // loaded machine must not count against it. Warm the path up, then forget the request.
        answer(200);
        probe((HttpProbe) config.probe(), http());
        wm.resetRequests();
        ManualScheduler clock = new ManualScheduler();
        List<String> transitions = new ArrayList<>();
        List<HealthStatus> statuses = new ArrayList<>();
        try (HealthChecker checker = HealthChecker.builder().controlScheduler(clock).eventExecutor(Runnable::run)
                .random(new SplittableRandom(5)).transport(transport).build()) {
            // Transitions with the number of requests WireMock had received when they happened.
            checker.subscribe(e -> transitions.add(e.from() + "->" + e.to() + " at request " + requests() + ": " + e.reason()));
            checker.update("test", List.of(new CheckTarget("web/w1", http(), config)));
            clock.runReady();
            Runnable probe = () -> {
                long done = checker.state("web/w1").orElseThrow().checks();
                clock.advance(clock.pendingTimers().getFirst());
                clock.runUntil(() -> checker.state("web/w1").orElseThrow().checks() == done + 1, WAIT);
                statuses.add(checker.state("web/w1").orElseThrow().status());
            };

            answer(200);
            for (int i = 0; i < 3; i++) {
                probe.run();
            }
            answer(503);
            for (int i = 0; i < 3; i++) {
                probe.run();
            }
            answer(200);
            for (int i = 0; i < 2; i++) {
                probe.run();
            }
            wm.resetMappings();
            wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(200).withFixedDelay(2500)));
            for (int i = 0; i < 3; i++) {
                int seen = requests();
                long done = checker.state("web/w1").orElseThrow().checks();
                clock.advance(clock.pendingTimers().getFirst());
                // The request reached the server; the check's own 1 s deadline ends the probe.
                clock.runUntil(() -> requests() == seen + 1, WAIT);
                clock.runUntil(() -> checker.state("web/w1").orElseThrow().checks() == done + 1, WAIT);
                statuses.add(checker.state("web/w1").orElseThrow().status());
            }

            assertThat(statuses).containsExactly(UP, UP, UP, UP, UP, DOWN, DOWN, UP, UP, UP, DOWN);
            assertThat(transitions).containsExactly(
                    "STARTING->UP at request 1: first check passed: HTTP 200",
                    "UP->DOWN at request 6: 3 consecutive failures, last: HTTP 503 (expected 200)",
                    "DOWN->UP at request 8: 2 consecutive successes, last: HTTP 200",
                    "UP->DOWN at request 11: 3 consecutive failures, last: timeout after 1s (waiting for the response)");
            assertThat(requests()).isEqualTo(11);
        }
        clock.runReady();
    }

    private static CheckResult probe(HttpProbe probe, InetSocketAddress address) throws Exception {
        return new HttpCheck(probe, transport, new TlsContexts()).probe(address, Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
    }

    private static HttpProbe probe(String yaml) {
        return (HttpProbe) Configs.read(yaml).probe();
    }

    @Test
    void theBodyIsSearchedForTheExpectedText() throws Exception {
        wm.stubFor(get(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200).withBody("x".repeat(20_000) + "archive: READY")));
        wm.stubFor(get(urlEqualTo("/busy")).willReturn(aResponse().withStatus(200).withBody("archive: BUSY")));
        wm.stubFor(get(urlEqualTo("/huge")).willReturn(aResponse().withStatus(200).withBody("x".repeat(200_000) + "READY")));
        assertThat(probe(probe("{ type: http, path: /ok, expect-body: READY }"), http()))
                .isEqualTo(CheckResult.success("HTTP 200, body contains 'READY'"));
        assertThat(probe(probe("{ type: http, path: /busy, expect-body: READY }"), http()))
                .isEqualTo(CheckResult.failure("HTTP 200 but the body does not contain 'READY' (searched 13 bytes)"));
        assertThat(probe(probe("{ type: http, path: /huge, expect-body: READY }"), http()))
                .isEqualTo(CheckResult.failure("HTTP 200 but the body does not contain 'READY' (searched 65536 bytes)"));
    }

    @Test
    void methodHostAndStatusRangesAreSentAndJudged() throws Exception {
        wm.stubFor(head(urlEqualTo("/h")).withHeader("Host", equalTo("pacs.example.org"))
                .withHeader("Connection", equalTo("close")).willReturn(aResponse().withStatus(204)));
        wm.stubFor(get(urlEqualTo("/moved")).willReturn(aResponse().withStatus(302).withHeader("Location", "/login")));
        assertThat(probe(probe("{ type: http, method: HEAD, path: /h, host: pacs.example.org, expect-status: 2xx }"), http()))
                .isEqualTo(CheckResult.success("HTTP 204"));
        assertThat(probe(probe("{ type: http, path: /moved }"), http())).isEqualTo(CheckResult.success("HTTP 302"));
        assertThat(probe(new HttpProbe(HttpProbe.Method.GET, "/moved", Optional.empty(),
                List.of(StatusRange.parse("200-204")), Optional.empty(), false, true), http()))
                .isEqualTo(CheckResult.failure("HTTP 302 (expected 200-204)"));
        assertThat(probe(probe("{ type: http, path: /nothing-here }"), http()))
                .isEqualTo(CheckResult.failure("HTTP 404 (expected 2xx, 3xx)"));
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        int port = org.dicomlb.testkit.Ports.closed("127.0.0.1");
        assertThat(probe(HttpProbe.defaults(), new InetSocketAddress("127.0.0.1", port)))
                .isEqualTo(CheckResult.failure("connect refused"));
    }

    @Test
    void tlsVerifiesTheCertificateUnlessToldNotTo() throws Exception {
        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(200)));
        InetSocketAddress https = new InetSocketAddress("127.0.0.1", wm.httpsPort());
        assertThat(probe(probe("{ type: http, path: /health, tls: true, tls-verify: false }"), https))
                .isEqualTo(CheckResult.success("HTTP 200"));
        CheckResult verified = probe(probe("{ type: http, path: /health, tls: true }"), https);
        assertThat(verified.success()).isFalse();
        assertThat(verified.detail()).startsWith("TLS handshake failed: ");
        assertThat(probe(probe("{ type: http, path: /health }"), https).success())
                .as("plain HTTP to a TLS port").isFalse();
    }
}
