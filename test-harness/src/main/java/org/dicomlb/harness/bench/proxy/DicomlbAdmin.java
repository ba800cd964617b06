package org.dicomlb.harness.bench.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dicomlb.config.Durations;
import org.dicomlb.config.SocketAddresses;

/**
 * Waits, through dicomlb's admin API ({@code GET /api/v1/status}), until every backend is UP.
 *
 * <p>A freshly started dicomlb serves its backends while their first check runs, but one failed
 * check marks a backend DOWN, and then {@code rise} successes are needed to bring it back. On a
 * busy two-core machine the first C-ECHO probe of a cold JVM can outlast the 1 s probe timeout,
 * after which dicomlb rejects associations (A-ASSOCIATE-RJ, temporary congestion) for a few
 * seconds. A measurement starting in that window would fail for reasons that have nothing to do
 * with steady state, so the harness waits until the checks agree that the backends are up.
 */
final class DicomlbAdmin {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DicomlbAdmin() {
    }

    /**
     * Polls until every backend of every pool reports health {@code up}; fails after
     * {@code timeout} (plus at most one request's 2 s), quoting the last answer.
     */
    static Duration awaitBackendsUp(InetSocketAddress admin, Duration timeout) throws IOException, InterruptedException {
        URI status = URI.create("http://" + SocketAddresses.format(admin) + "/api/v1/status");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<String> notUp;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build()) {
            // At least one question, however short the timeout: the answer is what the error quotes.
            do {
                HttpRequest rq = HttpRequest.newBuilder(status).timeout(REQUEST_TIMEOUT).GET().build();
                try {
                    HttpResponse<String> rs = http.send(rq, HttpResponse.BodyHandlers.ofString());
                    notUp = rs.statusCode() == 200 ? notUp(rs.body()) : List.of("HTTP " + rs.statusCode() + " from " + status);
                } catch (IOException e) {
                    notUp = List.of(status + ": " + e.getMessage());
                }
                if (notUp.isEmpty()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
                Thread.sleep(POLL.toMillis());
            } while (System.nanoTime() < deadline);
        }
        throw new IOException("dicomlb's backends are not up " + Durations.format(timeout) + " after start: "
                + String.join("; ", notUp));
    }

    /** Each backend whose health is not {@code up}, as {@code pool/backend: health (reason)}; empty when all are up. */
    static List<String> notUp(String statusJson) throws IOException {
        JsonNode root = JSON.readTree(statusJson);
        List<String> out = new ArrayList<>();
        JsonNode pools = root.path("pools");
        if (!pools.isArray() || pools.isEmpty()) {
            throw new IOException("no pools in dicomlb's status: " + statusJson);
        }
        for (JsonNode pool : pools) {
            for (JsonNode b : pool.path("backends")) {
                String health = b.path("health").asText("?");
                if (!health.equals("up")) {
                    String reason = b.path("health_reason").asText("");
                    out.add(pool.path("name").asText("?") + "/" + b.path("name").asText("?") + ": " + health
                            + (reason.isEmpty() ? "" : " (" + reason + ")"));
                }
            }
        }
        return out;
    }
}
