package org.dicomlb.l4.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** Named counters as {@code nft -j list counters} prints them. */
public final class Counters {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Packets and bytes of one counter. */
    public record Value(long packets, long bytes) {
        public static final Value ZERO = new Value(0, 0);
    }

    private Counters() {
    }

    /** Counters by name; empty for empty output. */
    public static Map<String, Value> parse(String json) throws IOException {
        Map<String, Value> out = new HashMap<>();
        if (json.isBlank()) {
            return out;
        }
        for (JsonNode item : JSON.readTree(json).path("nftables")) {
            JsonNode c = item.get("counter");
            if (c != null && c.has("name")) {
                out.put(c.path("name").asText(), new Value(c.path("packets").asLong(), c.path("bytes").asLong()));
            }
        }
        return out;
    }
}
