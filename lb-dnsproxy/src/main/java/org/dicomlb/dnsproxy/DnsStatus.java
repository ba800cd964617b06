package org.dicomlb.dnsproxy;

import java.util.List;

/**
 * The {@code dns} backends for the admin API and {@code dicomlb status}, sorted by id. Plain values
 * (strings, numbers, lists) so that the admin API's JSON mapper writes it as is, in snake_case.
 */
public record DnsStatus(List<Backend> backends) {
    public DnsStatus {
        backends = List.copyOf(backends);
    }

    /**
     * @param state               {@code up} or {@code down}
     * @param addresses           {@code ip:port} of each endpoint in use
     * @param result              the last round: pending, answer, nxdomain, nodata or failed
     * @param resolver            {@code ip:port} of the resolver whose answer is in use, or null
     * @param answeredAt          when that answer came (ISO-8601), or null
     * @param lastRoundAt         when the last round ended (ISO-8601), or null
     * @param consecutiveFailures rounds in a row without an answer
     * @param reason              why it is down, or the last failure while the answer is kept; null when fine
     * @param resolvers           the resolvers asked, in order
     */
    public record Backend(String id, String name, int port, String state, List<String> addresses, String result,
                          String resolver, String answeredAt, String lastRoundAt, int consecutiveFailures,
                          int resolveFall, String reason, List<String> resolvers, String resolveInterval) {
        public Backend {
            addresses = List.copyOf(addresses);
            resolvers = List.copyOf(resolvers);
        }
    }
}
