package org.dicomlb.engine.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.time.Duration;
import org.dicomlb.engine.testing.EngineFixture;
import org.dicomlb.engine.testing.Eventually;
import org.dicomlb.engine.testing.LogCapture;
import org.dicomlb.engine.testing.RawHttp;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WireMock backends that misbehave on cue, and what the client sees through dicomlb (the table in
 * docs/http.md, "Error statuses"): a reset, an empty answer or garbage before the response is a
 * 502 from dicomlb; silence past {@code timeouts.response} a 504; the backend's own 503 passes
 * through untouched; a response broken after it started ends the client's connection, since no
 * status is left to give. Each case also leaves its access-log line.
 */
class HttpBackendFaultsTest {
    private final EngineFixture fx = new EngineFixture();
    private final LogCapture access = LogCapture.accessLog();
    private WireMockServer wm;

    @BeforeEach
    void setUp() throws Exception {
        int port = Ports.free("127.0.0.11");
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.11").port(port).containerThreads(20));
        wm.start();
        wm.stubFor(get(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200).withBody("fine")));
        wm.stubFor(get(urlEqualTo("/reset")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        wm.stubFor(get(urlEqualTo("/empty")).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        wm.stubFor(get(urlEqualTo("/garbage")).willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        wm.stubFor(get(urlEqualTo("/broken-body")).willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        wm.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withBody("late").withFixedDelay(10_000)));
        wm.stubFor(any(urlEqualTo("/busy")).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "7")
                .withBody("archive busy")));
        wm.stubFor(post(urlEqualTo("/reset")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        fx.start("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    mode: http
                    pool: p
                    timeouts: { connect: 1s, response: 2s }
                pools:
                  - name: p
                    health-check: none
                    backends:
                      - { name: wm, address: 127.0.0.11:%d }
                """.formatted(fx.listenPort, port));
    }

    @AfterEach
    void tearDown() {
        access.close();
        fx.close();
        wm.stop();
    }

    private RawHttp.Response fetch(RawHttp c, String path) throws Exception {
        return c.send("GET " + path + " HTTP/1.1\r\nHost: pacs.test\r\n\r\n").read();
    }

    private String lineFor(String path) {
        Eventually.until(() -> access.lines().stream().anyMatch(l -> l.contains("path=" + path + " ")), Duration.ofSeconds(5),
                access::lines);
        return access.lines().stream().filter(l -> l.contains("path=" + path + " ")).findFirst().orElseThrow();
    }

    @Test
    void aResetBeforeTheResponseIs502AndTheConnectionGoesOn() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = fetch(c, "/reset");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).startsWith("502 Bad Gateway: the backend");
            assertThat(fetch(c, "/ok").text()).isEqualTo("fine");
        }
        assertThat(lineFor("/reset")).contains("status=502", "backend=wm", "end=backend_error");
    }

    @Test
    void aResetPostIsNeverSentTwice() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = c.send("POST /reset HTTP/1.1\r\nHost: pacs.test\r\nContent-Length: 4\r\n\r\nbody").read();
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(wm.countRequestsMatching(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                urlEqualTo("/reset")).build()).getCount()).isEqualTo(1);
    }

    @Test
    void anEmptyAnswerOrGarbageIs502() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            assertThat(fetch(c, "/empty").status()).isEqualTo(502);
            assertThat(fetch(c, "/garbage").status()).isEqualTo(502);
            assertThat(fetch(c, "/ok").status()).isEqualTo(200);
        }
        assertThat(lineFor("/empty")).contains("status=502", "end=backend_close");
    }

    @Test
    void silencePastTheResponseTimeoutIs504() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            // Answered by the timeout (2 s), not by the backend's late answer (after 10 s): a
            // response timeout loose enough for a loaded machine, a delay far beyond it.
            RawHttp.Response r = fetch(c, "/slow");
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.text()).isEqualTo("504 Gateway Timeout: the backend did not answer within 2 s\n");
            assertThat(fetch(c, "/ok").text()).isEqualTo("fine");
        }
        assertThat(lineFor("/slow")).contains("status=504", "end=response_timeout");
        Eventually.until(() -> fx.metric("dicomlb_http_local_responses_total{listener=\"web\",reason=\"response_timeout\"}") == 1,
                Duration.ofSeconds(5), fx.registry::scrape);
    }

    @Test
    void theBackendsOwn503PassesThrough() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            RawHttp.Response r = fetch(c, "/busy");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text()).isEqualTo("archive busy");
            assertThat(r.header("retry-after")).isEqualTo("7");
            assertThat(fetch(c, "/ok").text()).isEqualTo("fine");
        }
        assertThat(lineFor("/busy")).contains("status=503", "backend=wm", "end=complete");
        Eventually.until(() -> fx.metric("dicomlb_http_requests_total{backend=\"wm\",listener=\"web\",pool=\"p\",status=\"5xx\"}") == 1,
                Duration.ofSeconds(5), fx.registry::scrape);
    }

    @Test
    void aResponseBrokenAfterItStartedEndsTheClientConnection() throws Exception {
        try (RawHttp c = new RawHttp(fx.front())) {
            c.send("GET /broken-body HTTP/1.1\r\nHost: pacs.test\r\n\r\n");
            // The 200 and part of the body may have gone out; then the connection ends, so the
            // client cannot take the truncated body for a whole one.
            byte[] all = c.socket().getInputStream().readAllBytes();
            String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200");
            assertThat(text).doesNotEndWith("0\r\n\r\n");
        }
        assertThat(lineFor("/broken-body")).contains("status=200").containsPattern("end=backend_(error|close)");
    }
}
