package org.dicomlb.gslb;

import java.util.List;
import java.util.Objects;

/**
 * The GSLB at one instant, for the admin API ({@code status.gslb}) and {@code dicomlb status}.
 * Immutable; Jackson writes it with snake_case names.
 *
 * @param listen where DNS is answered ({@code ip:port}), empty when nothing is bound
 */
public record GslbStatus(String listen, List<NameStatus> names, int tcpConnections) {
    public GslbStatus {
        Objects.requireNonNull(listen, "listen");
        names = List.copyOf(names);
    }

    /** Nothing configured. */
    public static final GslbStatus NONE = new GslbStatus("", List.of(), 0);

    /**
     * One name: what it answers now and why, and each member's state.
     *
     * @param answering one entry per client group (every client, or per datacenter for topology)
     *                  and address family
     */
    public record NameStatus(String name, String method, String failback, String fallback, long ttlSeconds,
                             List<Answer> answering, List<MemberStatus> members) {
        public NameStatus {
            answering = List.copyOf(answering);
            members = List.copyOf(members);
        }
    }

    /**
     * @param clients {@code all}, {@code datacenter NAME} or {@code other} (clients in no datacenter)
     * @param family  {@code A} or {@code AAAA}
     * @param members the members answered (a weighted name lists the candidates); empty means SERVFAIL
     */
    public record Answer(String clients, String family, List<String> members, String why) {
        public Answer {
            members = List.copyOf(members);
        }
    }

    /**
     * @param health   {@code up}, {@code down} or {@code starting} (not probed yet; answered)
     * @param reason   why it is down (empty when up)
     * @param state    {@code eligible}, {@code held} (healthy, waiting for failback) or {@code down}
     * @param failback what a held member waits for (empty when not held)
     * @param datacenter null when the member has none
     */
    public record MemberStatus(String name, String address, String datacenter, String healthSource, String health,
                               String reason, String state, String failback) {
    }
}
