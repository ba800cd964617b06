package org.dicomlb.harness.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dicomlb.config.SocketAddresses;

/**
 * dicomlb's admin API as an operator's tool uses it (docs/operations.md, "Admin API"): loopback,
 * no token, so the {@code Host} is the IP address, and every change is sent as
 * {@code Content-Type: application/json}. Each request is bounded by {@link #TIMEOUT}.
 */
final class AdminClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    AdminClient(InetSocketAddress admin) {
        this.base = "http://" + SocketAddresses.format(admin) + "/api/v1/";
    }

    /** A status code and the parsed JSON body (a missing node when the body is not JSON). */
    record Answer(int status, JsonNode body, String text) {
    }

    Answer status() throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + "status")).GET());
    }

    Answer reload() throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + "reload")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    }

    Answer setState(String pool, String backend, String state) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + "pools/" + pool + "/backends/" + backend + "/state"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"state\": \"" + state + "\"}")));
    }

    private Answer send(HttpRequest.Builder rq) throws IOException, InterruptedException {
        HttpResponse<String> rs = http.send(rq.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = JSON.readTree(rs.body());
        } catch (IOException notJson) {
            body = JSON.missingNode();
        }
        return new Answer(rs.statusCode(), body == null ? JSON.missingNode() : body, rs.body());
    }

    /** Every backend's configured weight, as {@code pool/backend -> weight}, from a status answer. */
    static Map<String, Integer> weights(JsonNode status) {
        return each(status, "weight");
    }

    /** Every backend's health ({@code up}, {@code down} ...), as {@code pool/backend -> health}. */
    static Map<String, String> health(JsonNode status) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode pool : status.path("pools")) {
            for (JsonNode b : pool.path("backends")) {
                out.put(pool.path("name").asText() + "/" + b.path("name").asText(),
                        b.path("health").asText("?") + "," + b.path("admin_state").asText("?"));
            }
        }
        return out;
    }

    private static Map<String, Integer> each(JsonNode status, String field) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (JsonNode pool : status.path("pools")) {
            for (JsonNode b : pool.path("backends")) {
                out.put(pool.path("name").asText() + "/" + b.path("name").asText(), b.path(field).asInt(-1));
            }
        }
        return out;
    }

    @Override
    public void close() {
        http.close();
    }
}
