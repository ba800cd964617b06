package org.dicomlb.gslb.select;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A member as selection sees it at one instant.
 *
 * @param state whether it may be answered: {@link State#ELIGIBLE}, healthy but {@link State#HELD}
 *              by the failback policy, or {@link State#DOWN}
 */
public record Candidate(String member, InetAddress address, Optional<String> datacenter, int weight, State state) {
    public enum State { ELIGIBLE, HELD, DOWN }

    public Candidate {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(datacenter, "datacenter");
        Objects.requireNonNull(state, "state");
    }
}
